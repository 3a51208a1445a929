import type { LMUsage, ReflectionExchange, RunConfig } from '../events.js';
import type { EngineState } from '../state.js';
import type { Candidate, DataId } from '../types.js';
import type { RunDirEvent } from './event-schema.js';

/** How a candidate came to be. */
export type CandidateOrigin =
  | { kind: 'seed' }
  | {
      kind: 'reflection';
      iteration: number;
      parent: number;
      components: string[];
      proposer: 'reflection' | 'adapter' | 'custom' | null;
      /** With the built-in reflection: each component's prompt and the LM's reply. */
      reflections: ReflectionExchange[];
      minibatch: MinibatchView | null;
    }
  | {
      kind: 'merge';
      iteration: number;
      parents: [number, number];
      ancestor: number;
      /** The validation sub-sample the merge was tested on, the parents' and the child's scores on it. */
      ids: DataId[];
      parentScores: [number[], number[]] | null;
      childScores: number[] | null;
    };

export interface MinibatchView {
  ids: DataId[];
  parentScores: number[] | null;
  childScores: number[] | null;
}

/** One accepted candidate of the run. */
export interface CandidateView {
  idx: number;
  texts: Candidate;
  /** `[]` for the seed, one for a reflective child, two for a merge. */
  parents: number[];
  origin: CandidateOrigin;
  /** Iteration that created it (0 for the seed). */
  iteration: number;
  valAggregate: number;
  /** Per validation example, aligned with `RunDirView.valIds`. */
  valScores: number[];
  valObjectiveScores: Array<Record<string, number>> | null;
  /** Metric calls spent when it was discovered. */
  discoveryMetricCalls: number;
}

/** One committed iteration of the engine, whatever it did. */
export interface IterationView {
  iteration: number;
  kind: 'reflection' | 'merge' | 'skipped' | 'error' | 'budget';
  /** The selected parent (reflection) or the two merge parents. */
  parents: number[];
  accepted: boolean;
  /** The new candidate's index when accepted. */
  candidateIdx: number | null;
  /** The proposed texts (accepted or not). */
  proposal: {
    components: string[];
    texts: Record<string, string>;
    proposer: 'reflection' | 'adapter' | 'custom' | null;
    reflections: ReflectionExchange[];
  } | null;
  merge: { parents: [number, number]; ancestor: number; candidate: Candidate; reason: string | null } | null;
  minibatch: MinibatchView | null;
  /** Why the proposal was rejected or the iteration skipped. */
  reason: string | null;
  /** The new candidate's validation aggregate. */
  valScore: number | null;
  /** The frontier after this iteration, when it changed. */
  frontier: number[] | null;
  metricCalls: number | null;
  totalMetricCalls: number | null;
  lm: { task: LMUsage; reflection: LMUsage } | null;
  durationMs: number | null;
  startedAt: string | null;
  errors: string[];
}

/** Everything a report needs, read from a run dir by `readRunDir`. */
export interface RunDirView {
  dir: string;
  /** Version of the event lines read (see docs/run-dir.md). */
  schemaVersion: number;
  config: RunConfig | null;
  valIds: DataId[];
  candidates: CandidateView[];
  /** Committed iterations 1..n, in order. */
  iterations: IterationView[];
  bestIdx: number;
  bestScore: number;
  totalMetricCalls: number;
  maxMetricCalls: number | null;
  /** Whether the last process to run it finished (a `runEnd` after the last start). */
  finished: boolean;
  stopReason: string | null;
  /** Candidates on the Pareto frontier now, and after each change. */
  frontier: number[];
  frontierHistory: Array<{ iteration: number; frontier: number[] }>;
  errors: Array<{ iteration: number; message: string; willContinue: boolean }>;
  /** Each process that ran it: when it started, whether it resumed, at which iteration. */
  sessions: Array<{ startedAt: string; resumed: boolean; iteration: number }>;
  usage: { task: LMUsage; reflection: LMUsage };
  /** The committed events in order (an iteration re-run after a crash appears once). */
  events: RunDirEvent[];
  /** The engine state resume starts from (per-example scores, counters, rng, cache). */
  state: EngineState;
}
