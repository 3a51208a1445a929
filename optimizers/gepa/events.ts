import { appendFileSync } from 'node:fs';
import type { Candidate, DataId } from './types.js';

/** Every event the engine emits, discriminated by `type`. `iteration` is the iteration it belongs to. */
export type GEPAEvent =
  | { type: 'runStart'; iteration: number; resumed: boolean; trainSize: number; valSize: number; seed: number }
  | { type: 'runEnd'; iteration: number; bestIdx: number; bestScore: number; totalMetricCalls: number; stopReason: string }
  | { type: 'iterationStart'; iteration: number }
  | { type: 'iterationEnd'; iteration: number; accepted: boolean }
  | { type: 'candidateSelected'; iteration: number; candidateIdx: number; score: number }
  | {
      type: 'minibatchEvaluated';
      iteration: number;
      candidateIdx: number | null;
      ids: DataId[];
      scores: number[];
      role: 'parent' | 'child' | 'merge';
    }
  | { type: 'skippedPerfect'; iteration: number; candidateIdx: number }
  | { type: 'proposalSkipped'; iteration: number; parentIdx: number; components: string[]; reason: string }
  | { type: 'proposal'; iteration: number; parentIdx: number; components: string[]; texts: Record<string, string> }
  | { type: 'candidateAccepted'; iteration: number; candidateIdx: number; parents: number[]; minibatchSum: number }
  | { type: 'candidateRejected'; iteration: number; parentSum: number; childSum: number; reason: string }
  | { type: 'valsetEvaluated'; iteration: number; candidateIdx: number; score: number; isBest: boolean }
  | { type: 'frontierUpdated'; iteration: number; frontier: number[] }
  | { type: 'mergeAttempted'; iteration: number; parents: [number, number]; ancestor: number; candidate: Candidate }
  | { type: 'mergeAccepted'; iteration: number; candidateIdx: number; parents: [number, number] }
  | { type: 'mergeRejected'; iteration: number; parents: [number, number]; reason: string }
  | { type: 'budgetUpdated'; iteration: number; used: number; delta: number; remaining: number | null }
  | { type: 'error'; iteration: number; message: string; willContinue: boolean }
  | { type: 'stateSaved'; iteration: number; path: string };

export type GEPAEventType = GEPAEvent['type'];

/** Receives engine events: one handler per event type, and/or `onEvent` for all of them. */
export type GEPACallback = { onEvent?(event: GEPAEvent): void } & {
  [K in GEPAEventType]?: (event: Extract<GEPAEvent, { type: K }>) => void;
};

/** Fans events out to callbacks (isolating their failures) and to the run directory's JSONL log. */
export class EventBus {
  constructor(
    private readonly callbacks: readonly GEPACallback[],
    private readonly logPath?: string,
  ) {}

  emit(event: GEPAEvent): void {
    if (this.logPath) appendFileSync(this.logPath, `${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
    for (const callback of this.callbacks) {
      try {
        const handler = callback[event.type] as ((e: GEPAEvent) => void) | undefined;
        handler?.call(callback, event);
        callback.onEvent?.(event);
      } catch (error) {
        process.emitWarning(`GEPA callback for ${event.type} threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
