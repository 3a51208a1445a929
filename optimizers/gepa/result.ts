import { z } from 'zod';
import type { FailureSummary } from '../../src/evaluate/failures.js';
import type { RunUsage } from '../../src/lm/usage-meter.js';
import { lineageDot } from './report/dot.js';
import type { EngineState } from './state.js';
import type { Candidate, DataId } from './types.js';

const resultSchema = z.object({
  format: z.literal('tsdspy.gepa-result'),
  version: z.literal(1),
  bestIdx: z.number(),
  candidates: z.array(z.record(z.string(), z.string())),
  parents: z.array(z.array(z.number())),
  valIds: z.array(z.union([z.string(), z.number()])),
  valAggregateScores: z.array(z.number()),
  valSubscores: z.array(z.array(z.number())),
  /** Per candidate, the mean validation score of each objective (when the metric gave objective scores). */
  valAggregateSubscores: z.array(z.record(z.string(), z.number()).nullable()).optional(),
  perValInstanceBestCandidates: z.array(z.array(z.number())),
  discoveryEvalCounts: z.array(z.number()),
  totalMetricCalls: z.number(),
  numFullValEvals: z.number(),
  iterations: z.number(),
  stopReason: z.string(),
  bestOutputsValset: z.array(z.array(z.object({ candidate: z.number(), output: z.unknown() }))).nullable(),
  runDir: z.string().nullable(),
  seed: z.number(),
  errors: z
    .object({
      total: z.number(),
      failed: z.number(),
      byError: z.record(z.string(), z.number()),
      byKind: z.record(z.string(), z.number()),
      firstMessage: z.string(),
    })
    .optional(),
  usage: z
    .object({
      task: z.object({
        lmCalls: z.number(),
        cachedCalls: z.number(),
        inputTokens: z.number(),
        outputTokens: z.number(),
        cost: z.number().nullable(),
      }),
      proposer: z.object({
        lmCalls: z.number(),
        cachedCalls: z.number(),
        inputTokens: z.number(),
        outputTokens: z.number(),
        cost: z.number().nullable(),
      }),
    })
    .optional(),
});

export type GEPAResultJSON = z.infer<typeof resultSchema>;

/** What a GEPA run found: every accepted candidate, its scores and lineage, and the best one. */
export class GEPAResult {
  readonly bestIdx: number;
  readonly candidates: Candidate[];
  /** Parents of each candidate: `[]` for the seed, one for a reflective child, two for a merge. */
  readonly parents: number[][];
  /** Validation ids, the column order of `valSubscores`. */
  readonly valIds: DataId[];
  readonly valAggregateScores: number[];
  /** `valSubscores[c][v]`: candidate c on `valIds[v]`. */
  readonly valSubscores: number[][];
  /** Per candidate, the mean validation score of each objective; null entries when the metric gave none. */
  readonly valAggregateSubscores: Array<Record<string, number> | null> | undefined;
  /** Per validation instance, the candidates with the best score on it. */
  readonly perValInstanceBestCandidates: number[][];
  /** Metric calls spent when each candidate was discovered. */
  readonly discoveryEvalCounts: number[];
  readonly totalMetricCalls: number;
  readonly numFullValEvals: number;
  readonly iterations: number;
  readonly stopReason: string;
  readonly bestOutputsValset: Array<Array<{ candidate: number; output: unknown }>> | null;
  readonly runDir: string | null;
  readonly seed: number;
  /** Failures over the full valset evaluations of the run (absent when none failed). */
  readonly errors?: FailureSummary;
  /** LM usage of the run: the program's or evaluator's calls (`task`) and reflection (`proposer`). */
  readonly usage?: RunUsage;

  constructor(data: GEPAResultJSON) {
    this.bestIdx = data.bestIdx;
    this.candidates = data.candidates;
    this.parents = data.parents;
    this.valIds = data.valIds;
    this.valAggregateScores = data.valAggregateScores;
    this.valSubscores = data.valSubscores;
    this.valAggregateSubscores = data.valAggregateSubscores;
    this.perValInstanceBestCandidates = data.perValInstanceBestCandidates;
    this.discoveryEvalCounts = data.discoveryEvalCounts;
    this.totalMetricCalls = data.totalMetricCalls;
    this.numFullValEvals = data.numFullValEvals;
    this.iterations = data.iterations;
    this.stopReason = data.stopReason;
    this.bestOutputsValset = data.bestOutputsValset;
    this.runDir = data.runDir;
    this.seed = data.seed;
    if (data.errors) this.errors = data.errors as FailureSummary;
    if (data.usage) this.usage = data.usage;
  }

  get bestCandidate(): Candidate {
    return this.candidates[this.bestIdx] as Candidate;
  }

  get bestScore(): number {
    return this.valAggregateScores[this.bestIdx] as number;
  }

  static fromState(state: EngineState, bestIdx: number, runDir: string | undefined, errors?: FailureSummary): GEPAResult {
    const perInstance = state.valIds.map((_, v) => {
      let best = Number.NEGATIVE_INFINITY;
      let who: number[] = [];
      state.valScores.forEach((scores, c) => {
        const s = scores[v] as number;
        if (s > best) [best, who] = [s, [c]];
        else if (s === best) who.push(c);
      });
      return who;
    });
    return new GEPAResult({
      format: 'tsdspy.gepa-result',
      version: 1,
      bestIdx,
      candidates: state.candidates.map((c) => ({ ...c })),
      parents: state.parents.map((p) => [...p]),
      valIds: [...state.valIds],
      valAggregateScores: [...state.aggregates],
      valSubscores: state.valScores.map((s) => [...s]),
      ...(state.valObjectiveScores.some((o) => o) ? { valAggregateSubscores: state.valObjectiveScores.map(meanObjectives) } : {}),
      perValInstanceBestCandidates: perInstance,
      discoveryEvalCounts: [...state.discoveryEvalCounts],
      totalMetricCalls: state.totalMetricCalls,
      numFullValEvals: state.numFullValEvals,
      iterations: state.iteration,
      stopReason: state.stopReason ?? 'unknown',
      bestOutputsValset: state.bestOutputs,
      runDir: runDir ?? null,
      seed: state.seed,
      ...(errors ? { errors } : {}),
    });
  }

  /** The candidate lineage as a Graphviz DOT graph (`dot -Tsvg lineage.dot > lineage.svg`); merges are dashed. */
  toDot(): string {
    return lineageDot({
      parents: this.parents,
      scores: this.valAggregateScores,
      bestIdx: this.bestIdx,
      discoveryEvalCounts: this.discoveryEvalCounts,
    });
  }

  toJSON(): GEPAResultJSON {
    return {
      format: 'tsdspy.gepa-result',
      version: 1,
      bestIdx: this.bestIdx,
      candidates: this.candidates,
      parents: this.parents,
      valIds: this.valIds,
      valAggregateScores: this.valAggregateScores,
      valSubscores: this.valSubscores,
      ...(this.valAggregateSubscores ? { valAggregateSubscores: this.valAggregateSubscores } : {}),
      perValInstanceBestCandidates: this.perValInstanceBestCandidates,
      discoveryEvalCounts: this.discoveryEvalCounts,
      totalMetricCalls: this.totalMetricCalls,
      numFullValEvals: this.numFullValEvals,
      iterations: this.iterations,
      stopReason: this.stopReason,
      bestOutputsValset: this.bestOutputsValset,
      runDir: this.runDir,
      seed: this.seed,
      ...(this.errors ? { errors: this.errors } : {}),
      ...(this.usage ? { usage: this.usage } : {}),
    };
  }

  static fromJSON(json: unknown): GEPAResult {
    const parsed = resultSchema.safeParse(json);
    if (!parsed.success) throw new Error(`Not a tsdspy GEPA result: ${z.prettifyError(parsed.error)}`);
    return new GEPAResult(parsed.data);
  }
}

/** Mean of each objective over the validation instances (an instance without an objective does not count for it). */
function meanObjectives(perInstance: ReadonlyArray<Record<string, number>> | null): Record<string, number> | null {
  if (!perInstance) return null;
  const sums: Record<string, [number, number]> = {};
  for (const scores of perInstance) {
    for (const [name, value] of Object.entries(scores)) {
      const [sum, n] = sums[name] ?? [0, 0];
      sums[name] = [sum + value, n + 1];
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([name, [sum, n]]) => [name, sum / n]));
}
