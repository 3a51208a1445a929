import type { ExampleFailure } from '../../src/evaluate/failures.js';

/** A candidate: the text of every named component (`{ system_prompt: '...' }`). */
export type Candidate = Record<string, string>;

/** Identifies one data instance: the index in an array, or a loader's own id. */
export type DataId = string | number;

/** Large datasets can be given as a loader instead of an array. */
export interface DataLoader<D> {
  ids(): readonly DataId[] | Promise<readonly DataId[]>;
  fetch(ids: readonly DataId[]): readonly D[] | Promise<readonly D[]>;
}

/** What an adapter returns for one batch, aligned with the batch. */
export interface EvaluationBatch<Trajectory = unknown, Output = unknown> {
  outputs: Output[];
  /** One score per example; higher is better. */
  scores: number[];
  /** Present when asked for traces: whatever `makeReflectiveDataset` needs. */
  trajectories?: Trajectory[];
  /** Per-example scores per objective, for objective / hybrid / cartesian frontiers. */
  objectiveScores?: Array<Record<string, number>>;
  /**
   * Per example, why it failed (null when it did not). The engine summarizes failures on stderr after full valset
   * evaluations and aborts when user code failed on every example of the seed evaluation.
   */
  failures?: Array<ExampleFailure | null>;
}

/** One record shown to the reflection LM, e.g. `{ Inputs, 'Generated Outputs', Feedback }`. */
export type ReflectiveRecord = Record<string, unknown>;
export type ReflectiveDataset = Record<string, ReflectiveRecord[]>;

/** Where an evaluation sits in the run; lets a distributed adapter give its jobs ids that a resumed run reproduces. */
export interface EvaluationContext {
  /** `train` or `val`. */
  dataset: string;
  ids: readonly DataId[];
  /** Metric calls recorded before this evaluation (the same on a resumed run at the same point). */
  metricCallsBefore: number;
}

/**
 * Connects the engine to the system being optimized. `evaluate` runs the system with a candidate's texts;
 * `makeReflectiveDataset` turns the traced run into per-component records for reflection.
 */
export interface GEPAAdapter<DataInst, Trajectory = unknown, Output = unknown> {
  evaluate(
    batch: readonly DataInst[],
    candidate: Candidate,
    captureTraces: boolean,
    context?: EvaluationContext,
  ): Promise<EvaluationBatch<Trajectory, Output>> | EvaluationBatch<Trajectory, Output>;
  makeReflectiveDataset(
    candidate: Candidate,
    evalBatch: EvaluationBatch<Trajectory, Output>,
    componentsToUpdate: readonly string[],
  ): Promise<ReflectiveDataset> | ReflectiveDataset;
  /** Optional: propose new texts itself instead of the engine's reflection prompt. */
  proposeNewTexts?(
    candidate: Candidate,
    reflectiveDataset: ReflectiveDataset,
    componentsToUpdate: readonly string[],
  ): Promise<Record<string, string>> | Record<string, string>;
}
