import { randomUUID } from 'node:crypto';
import type { BackendJob, EvaluationBackend } from '../../../src/backends/backend.js';
import { shortHash } from '../../../src/backends/transport.js';
import { candidateKey } from '../state.js';
import type { Candidate, EvaluationBatch, EvaluationContext, GEPAAdapter, ReflectiveDataset } from '../types.js';
import { GEPA_JOB, type GEPAJobPayload, type GEPAJobValue, type RemoteMode } from './job.js';

export interface RemoteAdapterOptions<D, T, O> {
  backend: EvaluationBackend;
  mode: RemoteMode;
  /** Prefix of job ids (see runKey). */
  runKey: string;
  /** Mode options sent with every job (never secrets: they are stored in Redis). */
  options: Record<string, unknown>;
  /** The example as it travels (plain JSON). */
  encodeExample(example: D): unknown;
  /** The worker's value for one example as the engine's output and trajectory. */
  decode(value: GEPAJobValue, example: D, workerId: string): { output: O; trajectory: T };
  /** Builds reflection records on the coordinator from the returned trajectories. */
  reflect(
    candidate: Candidate,
    batch: EvaluationBatch<T, O>,
    components: readonly string[],
  ): Promise<ReflectiveDataset> | ReflectiveDataset;
  /** Turns a worker-reported fatal error back into the error the in-process adapter would have thrown. */
  fatal(error: { name: string; message: string }): Error;
  proposeNewTexts?: GEPAAdapter<D, T, O>['proposeNewTexts'];
}

/**
 * A GEPA adapter whose `evaluate` runs each example as a job on the backend's workers. Job ids come from the
 * run key and the evaluation's place in the run, so a resumed coordinator asks for the same jobs and reuses
 * the results that arrived while it was down. Reflection stays on the coordinator.
 */
export class RemoteAdapter<D, T, O> implements GEPAAdapter<D, T, O> {
  readonly proposeNewTexts?: GEPAAdapter<D, T, O>['proposeNewTexts'];
  private readonly adhoc = `x${randomUUID().slice(0, 8)}`;
  private adhocCount = 0;

  constructor(private readonly options: RemoteAdapterOptions<D, T, O>) {
    if (options.proposeNewTexts) this.proposeNewTexts = options.proposeNewTexts;
  }

  async evaluate(
    batch: readonly D[],
    candidate: Candidate,
    captureTraces: boolean,
    context?: EvaluationContext,
  ): Promise<EvaluationBatch<T, O>> {
    const o = this.options;
    const where = context ? `${context.dataset}.${context.metricCallsBefore}` : `${this.adhoc}.${this.adhocCount++}`; // outside the engine (e.g. a test set): never resumed
    const cand = shortHash(candidateKey(candidate), 10);
    const jobs: BackendJob[] = batch.map((example, i) => {
      const id = context ? shortHash(String(context.ids[i]), 6) : String(i);
      const payload: GEPAJobPayload = {
        mode: o.mode,
        candidate,
        example: o.encodeExample(example),
        captureTraces,
        options: o.options,
      };
      return { id: `${o.runKey}.${where}.${i}.${id}.${cand}${captureTraces ? '.t' : ''}`, kind: GEPA_JOB, payload };
    });
    const results = await o.backend.run(jobs);
    const outputs: O[] = [];
    const scores: number[] = [];
    const trajectories: T[] = [];
    const objectives: Array<Record<string, number>> = [];
    results.forEach((result, i) => {
      const value = result.value as GEPAJobValue;
      if (value.fatal) throw o.fatal(value.fatal);
      const decoded = o.decode(value, batch[i] as D, result.workerId);
      outputs.push(decoded.output);
      scores.push(value.score);
      trajectories.push(decoded.trajectory);
      if (value.objectives) objectives.push(value.objectives);
    });
    return {
      outputs,
      scores,
      trajectories,
      ...(objectives.length === batch.length && batch.length > 0 ? { objectiveScores: objectives } : {}),
    };
  }

  makeReflectiveDataset(candidate: Candidate, evalBatch: EvaluationBatch<T, O>, components: readonly string[]) {
    return this.options.reflect(candidate, evalBatch, components);
  }
}
