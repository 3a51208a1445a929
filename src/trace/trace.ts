import { AsyncLocalStorage } from 'node:async_hooks';
import type { Message, Usage } from '../lm/types.js';

/** One predictor call as seen by an optimizer. */
export interface TraceEntry {
  predictorName: string;
  /** The predictor object itself (a `Predict`); typed loosely to avoid an import cycle. */
  predictor: object;
  inputs: Record<string, unknown>;
  /** Parsed outputs; empty when parsing failed (see `error`). */
  outputs: Record<string, unknown>;
  messages: Message[];
  /** The reply text the outputs were parsed from (first completion). */
  rawCompletion: string;
  usage?: Usage;
  error?: Error;
}

export type Trace = TraceEntry[];

const activeTraces = new AsyncLocalStorage<readonly Trace[]>();

/**
 * Runs `fn` and returns its result with every predictor call made inside it, in call order.
 * Captures nest: an outer capture also sees the calls of inner ones. Concurrent captures stay apart.
 */
export async function captureTrace<T>(fn: () => Promise<T> | T): Promise<{ result: T; trace: Trace }> {
  const trace: Trace = [];
  const outer = activeTraces.getStore() ?? [];
  const result = await activeTraces.run([...outer, trace], fn);
  return { result, trace };
}

/** Like captureTrace, but also returns the trace when `fn` throws (attached as `error.trace`). */
export async function captureTraceSettled<T>(fn: () => Promise<T> | T): Promise<{ result?: T; error?: unknown; trace: Trace }> {
  const trace: Trace = [];
  const outer = activeTraces.getStore() ?? [];
  try {
    const result = await activeTraces.run([...outer, trace], fn);
    return { result, trace };
  } catch (error) {
    return { error, trace };
  }
}

/** Appends an entry to every active capture. Called by predictors. */
export function recordTrace(entry: TraceEntry): void {
  const traces = activeTraces.getStore();
  if (!traces) return;
  for (const trace of traces) trace.push(entry);
}
