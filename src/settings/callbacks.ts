import type { LMRequest, LMResponse } from '../lm/types.js';

export interface ModuleStartEvent {
  callId: string;
  /** The module being called (typed loosely to keep this file free of module imports). */
  module: object;
  moduleName: string;
  inputs: unknown;
}

export interface ModuleEndEvent extends ModuleStartEvent {
  outputs?: unknown;
  error?: unknown;
  durationMs: number;
}

export interface LMStartEvent {
  callId: string;
  predictorName: string;
  request: LMRequest;
}

export interface LMEndEvent extends LMStartEvent {
  response?: LMResponse;
  error?: unknown;
  durationMs: number;
}

/** Observers of program execution. Every hook is optional; a hook that throws is reported, never fatal. */
export interface Callback {
  onModuleStart?(event: ModuleStartEvent): void;
  onModuleEnd?(event: ModuleEndEvent): void;
  onLMStart?(event: LMStartEvent): void;
  onLMEnd?(event: LMEndEvent): void;
}

type HookName = keyof Callback;

/** Runs one hook on every callback, isolating failures so an observer can't break a program. */
export function emit<H extends HookName>(
  callbacks: readonly Callback[] | undefined,
  hook: H,
  event: Parameters<NonNullable<Callback[H]>>[0],
): void {
  if (!callbacks) return;
  for (const callback of callbacks) {
    const fn = callback[hook] as ((e: typeof event) => void) | undefined;
    if (!fn) continue;
    try {
      fn.call(callback, event);
    } catch (error) {
      process.emitWarning(`tsdspy callback ${hook} threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

let nextCallId = 0;
export function newCallId(): string {
  nextCallId += 1;
  return `call-${nextCallId}`;
}
