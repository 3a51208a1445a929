import pLimit from 'p-limit';
import { TsdspyError } from '../../../src/errors/index.js';
import type { ExampleFailure } from '../../../src/evaluate/failures.js';
import type { Candidate, EvaluationBatch, GEPAAdapter, ReflectiveDataset } from '../types.js';
import { withEvaluationLogs } from './log.js';
import { renderInfo, truncate } from './side-info.js';

/** Free-form diagnostics; numbers under `scores` become per-objective scores. */
export type SideInfo = Record<string, unknown> & { scores?: Record<string, number> };

/** What an evaluator may return: a score, `[score, info]`, or `{ score, info }`. */
export type EvaluatorResult = number | [number, SideInfo] | { score: number; info?: SideInfo };

/** The artifact as the evaluator sees it: a string for a string seed, else the component record. */
export type Artifact = string | Record<string, string>;

/**
 * Scores one candidate: `(candidate)` in single-task mode, `(candidate, example)` with a dataset. `A` is `string`
 * for a string seed, the component record otherwise.
 */
export type Evaluator<E, A extends Artifact = Artifact> = (
  candidate: A,
  example: E,
) => EvaluatorResult | Promise<EvaluatorResult>;

/** Evaluates every (candidate, example) pair of one stage in a single call; returns results in example order. */
export type BatchEvaluator<E, A extends Artifact = Artifact> = (
  candidate: A,
  examples: readonly E[],
) => EvaluatorResult[] | Promise<EvaluatorResult[]>;

/** An evaluator returned something that is not a finite score. */
export class EvaluatorResultError extends TsdspyError {}

export interface AnythingTrajectory<E> {
  example: E | undefined;
  score: number;
  logs: string[];
  info: SideInfo;
  /** Why the evaluation failed, when it did. */
  failure?: ExampleFailure;
}

export interface AnythingAdapterOptions<E> {
  evaluator?: Evaluator<E>;
  batchEvaluator?: BatchEvaluator<E>;
  /** True when the user's seed was a string: the evaluator then receives a string. */
  stringArtifact: boolean;
  /** True in single-task mode (no dataset): the evaluator is called with the candidate only. */
  singleTask: boolean;
  concurrency: number;
  failureScore: number;
  evaluationTimeoutMs?: number;
  /** Characters of logs + info shown per evaluation (default 4,000). */
  maxSideInfoChars: number;
}

export const STRING_COMPONENT = 'current_candidate';

/** Turns a user evaluator into a GEPA adapter: scores, captured `oa.log` lines, and side information for reflection. */
export class AnythingAdapter<E> implements GEPAAdapter<E | undefined, AnythingTrajectory<E>, SideInfo> {
  constructor(private readonly options: AnythingAdapterOptions<E>) {}

  artifact(candidate: Candidate): Artifact {
    return this.options.stringArtifact ? (candidate[STRING_COMPONENT] as string) : { ...candidate };
  }

  async evaluate(
    batch: readonly (E | undefined)[],
    candidate: Candidate,
  ): Promise<EvaluationBatch<AnythingTrajectory<E>, SideInfo>> {
    const runs = this.options.batchEvaluator ? await this.runBatch(batch, candidate) : await this.runEach(batch, candidate);
    const objectives = runs.map((r) => r.info.scores);
    const allObjectives = objectives.every((o) => o && typeof o === 'object');
    return {
      outputs: runs.map((r) => r.info),
      scores: runs.map((r) => r.score),
      failures: runs.map((r) => r.failure ?? null),
      trajectories: runs,
      ...(allObjectives ? { objectiveScores: objectives as Array<Record<string, number>> } : {}),
    };
  }

  makeReflectiveDataset(
    _candidate: Candidate,
    evalBatch: EvaluationBatch<AnythingTrajectory<E>, SideInfo>,
    components: readonly string[],
  ): ReflectiveDataset {
    const budget = this.options.maxSideInfoChars;
    const records = (evalBatch.trajectories ?? []).map((t) => ({
      ...(this.options.singleTask ? {} : { Example: t.example === undefined ? '(none)' : t.example }),
      Score: t.score,
      ...(t.logs.length ? { Logs: truncate(t.logs.join('\n'), budget) } : {}),
      ...(Object.keys(t.info).length ? { Info: truncate(renderInfo(t.info), budget) } : {}),
    }));
    return Object.fromEntries(components.map((c) => [c, records]));
  }

  private async runEach(batch: readonly (E | undefined)[], candidate: Candidate): Promise<AnythingTrajectory<E>[]> {
    const limit = pLimit(this.options.concurrency);
    return Promise.all(batch.map((example) => limit(() => this.runOne(candidate, example))));
  }

  private async runOne(candidate: Candidate, example: E | undefined): Promise<AnythingTrajectory<E>> {
    const logs: string[] = [];
    const evaluator = this.options.evaluator as (candidate: Artifact, example?: E) => ReturnType<Evaluator<E>>;
    const artifact = this.artifact(candidate);
    try {
      const result = await withEvaluationLogs(logs, () =>
        this.withTimeout(Promise.resolve(this.options.singleTask ? evaluator(artifact) : evaluator(artifact, example))),
      );
      return { example, logs, ...normalize(result) };
    } catch (error) {
      if (error instanceof EvaluatorResultError) throw error;
      return { example, logs, score: this.options.failureScore, info: errorInfo(error), failure: failureOf(error) };
    }
  }

  private async runBatch(batch: readonly (E | undefined)[], candidate: Candidate): Promise<AnythingTrajectory<E>[]> {
    const logs: string[] = [];
    const artifact = this.artifact(candidate);
    const batchEvaluator = this.options.batchEvaluator as BatchEvaluator<E>;
    try {
      const results = await withEvaluationLogs(logs, () =>
        this.withTimeout(Promise.resolve(batchEvaluator(artifact, batch as E[]))),
      );
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new EvaluatorResultError(
          `batchEvaluator returned ${Array.isArray(results) ? results.length : 'no'} results for ${batch.length} examples`,
        );
      }
      return results.map((r, i) => ({ example: batch[i], logs: i === 0 ? logs : [], ...normalize(r) }));
    } catch (error) {
      if (error instanceof EvaluatorResultError) throw error;
      return batch.map((example) => ({
        example,
        logs,
        score: this.options.failureScore,
        info: errorInfo(error),
        failure: failureOf(error),
      }));
    }
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.options.evaluationTimeoutMs;
    if (!ms) return promise;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new EvaluationTimeoutError(ms)), ms);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/** An evaluation ran past `evaluationTimeoutMs`. */
export class EvaluationTimeoutError extends TsdspyError {
  constructor(readonly timeoutMs: number) {
    super(`The evaluation timed out after ${timeoutMs} ms`);
  }
}

function normalize(result: EvaluatorResult): { score: number; info: SideInfo } {
  let score: unknown;
  let info: SideInfo = {};
  if (Array.isArray(result)) [score, info = {}] = result;
  else if (result && typeof result === 'object') ({ score, info = {} } = result);
  else score = result;
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    throw new EvaluatorResultError(
      `The evaluator returned ${JSON.stringify(score)} as a score; return a finite number, [score, info] or { score, info }.`,
    );
  }
  return { score, info: info ?? {} };
}

function failureOf(error: unknown): ExampleFailure {
  return { kind: error instanceof EvaluationTimeoutError ? 'timeout' : 'evaluator', error };
}

function errorInfo(error: unknown): SideInfo {
  if (error instanceof EvaluationTimeoutError) return { error: error.message, timeout: true };
  if (error instanceof Error) return { error: `${error.name}: ${error.message}`, stack: error.stack ?? '' };
  return { error: String(error) };
}
