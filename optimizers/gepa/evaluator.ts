import { createHash } from 'node:crypto';
import { BackendError } from '../../src/backends/errors.js';
import type { ExampleFailure } from '../../src/evaluate/failures.js';
import { inSpan } from '../../src/telemetry/otel.js';
import type { ResolvedData } from './data.js';
import { AdapterEvaluationError } from './errors.js';
import type { EventBus } from './events.js';
import { type CacheEntry, candidateKey, type EngineState } from './state.js';
import type { Candidate, DataId, EvaluationBatch, GEPAAdapter } from './types.js';

export interface EvaluationOutcome<T, O> {
  scores: number[];
  /** Undefined for examples served from the evaluation cache. */
  outputs: (O | undefined)[];
  objectiveScores: Array<Record<string, number>> | null;
  /** Failures of the examples run now (cached examples had none worth repeating). */
  failures: ExampleFailure[];
  /** The adapter's batch, for reflection (only when traces were captured; then nothing came from the cache). */
  batch?: EvaluationBatch<T, O>;
}

/** Raised inside an iteration when the next evaluation does not fit the remaining budget. */
export class BudgetExhausted extends Error {
  constructor(
    readonly needed: number,
    readonly remaining: number,
  ) {
    super(`budget exhausted: next evaluation needs ${needed} metric calls, ${remaining} left`);
  }
}

/** Raised inside an iteration when the run's AbortSignal fired; the run stops with a consistent state. */
export class RunAborted extends Error {
  constructor() {
    super('run aborted by its AbortSignal');
  }
}

/**
 * Runs the adapter on (candidate, ids) while keeping the budget exact: each example the adapter sees counts
 * once, an evaluation that does not fit is not started, and cached pairs are neither re-run nor re-counted.
 */
export class BudgetedEvaluator<D, T, O> {
  constructor(
    private readonly adapter: GEPAAdapter<D, T, O>,
    private readonly state: EngineState,
    private readonly limit: number | undefined,
    private readonly bus: EventBus,
    private readonly useCache: boolean,
    private readonly signal?: AbortSignal,
  ) {}

  get remaining(): number | null {
    return this.limit === undefined ? null : Math.max(0, this.limit - this.state.totalMetricCalls);
  }

  async evaluate(
    data: ResolvedData<D>,
    ids: readonly DataId[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationOutcome<T, O>> {
    // Hashed so the cache saved in the run dir stays small whatever the candidates' size.
    const key = createHash('sha256').update(candidateKey(candidate)).digest('hex').slice(0, 24);
    const cache = this.useCache && !captureTraces ? this.state.cache : null;
    const cached = ids.map((id) => cache?.[cacheKey(key, data.name, id)]);
    const toRun = ids.filter((_, i) => cached[i] === undefined);
    const remaining = this.remaining;
    if (this.signal?.aborted) throw new RunAborted();
    if (remaining !== null && toRun.length > remaining) throw new BudgetExhausted(toRun.length, remaining);

    let batch: EvaluationBatch<T, O> | undefined;
    if (toRun.length > 0) {
      const items = await data.fetch(toRun);
      try {
        const attributes = {
          'tsdspy.gepa.dataset': data.name,
          'tsdspy.gepa.batch_size': toRun.length,
          'tsdspy.gepa.capture_traces': captureTraces,
        };
        const context = { dataset: data.name, ids: toRun, metricCallsBefore: this.state.totalMetricCalls };
        batch = await inSpan('tsdspy.gepa.evaluation', { attributes }, async () =>
          this.adapter.evaluate(items, candidate, captureTraces, context),
        );
      } catch (error) {
        // The backend failed (no workers, module not loadable, Redis gone): nothing was recorded, nothing counted.
        if (error instanceof BackendError) throw error;
        this.count(toRun.length);
        throw new AdapterEvaluationError(
          `${this.adapterName()}.evaluate threw on batch [${toRun.join(', ')}]: ${error instanceof Error ? error.message : String(error)}`,
          this.adapterName(),
          toRun,
          { cause: error },
        );
      }
      this.count(toRun.length);
      this.check(batch, toRun, captureTraces);
      if (this.useCache && this.state.cache) {
        toRun.forEach((id, i) => {
          const entry: CacheEntry = { score: batch?.scores[i] as number };
          const objectives = batch?.objectiveScores?.[i];
          if (objectives) entry.objectives = objectives;
          (this.state.cache as Record<string, CacheEntry>)[cacheKey(key, data.name, id)] = entry;
        });
      }
    }

    const scores: number[] = [];
    const outputs: (O | undefined)[] = [];
    const objectiveScores: Array<Record<string, number>> = [];
    let hasObjectives = true;
    let next = 0;
    for (const [i] of ids.entries()) {
      const hit = cached[i];
      if (hit) {
        scores.push(hit.score);
        outputs.push(undefined);
        if (hit.objectives) objectiveScores.push(hit.objectives);
        else hasObjectives = false;
      } else {
        scores.push(batch?.scores[next] as number);
        outputs.push(batch?.outputs[next]);
        const objectives = batch?.objectiveScores?.[next];
        if (objectives) objectiveScores.push(objectives);
        else hasObjectives = false;
        next++;
      }
    }
    return {
      scores,
      outputs,
      objectiveScores: hasObjectives ? objectiveScores : null,
      failures: (batch?.failures ?? []).filter((f): f is ExampleFailure => f !== null && f !== undefined),
      ...(captureTraces && batch ? { batch } : {}),
    };
  }

  private count(n: number): void {
    this.state.totalMetricCalls += n;
    this.bus.emit({
      type: 'budgetUpdated',
      iteration: this.state.iteration + 1,
      used: this.state.totalMetricCalls,
      delta: n,
      remaining: this.remaining,
    });
  }

  private check(batch: EvaluationBatch<T, O>, ids: readonly DataId[], captureTraces: boolean): void {
    const fail = (what: string) => {
      throw new AdapterEvaluationError(
        `${this.adapterName()}.evaluate on batch [${ids.join(', ')}] ${what}`,
        this.adapterName(),
        ids,
      );
    };
    if (!batch || !Array.isArray(batch.scores)) fail('returned no scores array');
    if (batch.scores.length !== ids.length) fail(`returned ${batch.scores.length} scores for ${ids.length} examples`);
    const bad = batch.scores.findIndex((s) => typeof s !== 'number' || !Number.isFinite(s));
    if (bad !== -1) fail(`returned a non-finite score (${String(batch.scores[bad])}) for example ${String(ids[bad])}`);
    if (!Array.isArray(batch.outputs) || batch.outputs.length !== ids.length)
      fail(`returned ${batch.outputs?.length ?? 0} outputs for ${ids.length} examples`);
    if (captureTraces && batch.trajectories && batch.trajectories.length !== ids.length) {
      fail(`returned ${batch.trajectories.length} trajectories for ${ids.length} examples`);
    }
    if (batch.objectiveScores && batch.objectiveScores.length !== ids.length) {
      fail(`returned ${batch.objectiveScores.length} objectiveScores for ${ids.length} examples`);
    }
  }

  private adapterName(): string {
    return this.adapter.constructor?.name && this.adapter.constructor.name !== 'Object'
      ? this.adapter.constructor.name
      : 'adapter';
  }
}

function cacheKey(candidate: string, dataset: string, id: DataId): string {
  return `${candidate}\u0001${dataset}\u0001${typeof id}:${id}`;
}
