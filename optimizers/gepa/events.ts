import type { EventLog } from './run-dir/event-log.js';
import type { Candidate, DataId } from './types.js';

/** LM calls, tokens and cost (USD, when the LM reports it) over some stretch of a run. */
export interface LMUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

/** The settings of a run as written to the run dir (no LM objects, no keys). */
export interface RunConfig {
  seedCandidate: Candidate;
  trainIds: DataId[];
  valIds: DataId[];
  maxMetricCalls: number | null;
  stopConditions: string[];
  minibatchSize: number;
  frontierType: string;
  candidateSelection: string;
  componentSelection: string;
  batchSampler: string;
  skipPerfectScore: boolean;
  perfectScore: number;
  useMerge: boolean;
  maxMergeInvocations: number;
  mergeValOverlapFloor: number;
  cacheEvaluation: boolean;
  trackBestOutputs: boolean;
  raiseOnException: boolean;
  proposer: 'reflection' | 'adapter' | 'custom';
  adapter: string;
  seed: number;
}

/** One reflection LM exchange that produced a component's new text. */
export interface ReflectionExchange {
  component: string;
  prompt: string;
  reply: string;
  cost: number;
}

/** Every event the engine emits, discriminated by `type`. `iteration` is the iteration it belongs to. */
export type GEPAEvent =
  | {
      type: 'runStart';
      iteration: number;
      resumed: boolean;
      trainSize: number;
      valSize: number;
      seed: number;
      config?: RunConfig;
    }
  | { type: 'runEnd'; iteration: number; bestIdx: number; bestScore: number; totalMetricCalls: number; stopReason: string }
  | { type: 'iterationStart'; iteration: number }
  | {
      type: 'iterationEnd';
      iteration: number;
      accepted: boolean;
      /** Metric calls this iteration spent, and the run's total after it. */
      metricCalls?: number;
      totalMetricCalls?: number;
      /** LM use during the iteration: the task LM (inside the adapter) and the reflection LM. */
      lm?: { task: LMUsage; reflection: LMUsage };
      durationMs?: number;
    }
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
  | {
      type: 'proposal';
      iteration: number;
      parentIdx: number;
      components: string[];
      texts: Record<string, string>;
      /** Who wrote the texts; with the built-in reflection, each prompt and reply. */
      proposer?: 'reflection' | 'adapter' | 'custom';
      reflections?: ReflectionExchange[];
    }
  | { type: 'candidateAccepted'; iteration: number; candidateIdx: number; parents: number[]; minibatchSum: number }
  | { type: 'candidateRejected'; iteration: number; parentSum: number; childSum: number; reason: string }
  | { type: 'valsetEvaluated'; iteration: number; candidateIdx: number; score: number; isBest: boolean }
  | { type: 'frontierUpdated'; iteration: number; frontier: number[] }
  | {
      type: 'mergeAttempted';
      iteration: number;
      parents: [number, number];
      ancestor: number;
      candidate: Candidate;
      /** The validation sub-sample the merged child is compared on, and each parent's scores on it. */
      ids?: DataId[];
      parentScores?: [number[], number[]];
    }
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
    private readonly log?: EventLog,
  ) {}

  emit(event: GEPAEvent): void {
    this.log?.append(event);
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
