import { Evaluate } from '../src/evaluate/evaluate.js';
import { abortIfAllFailed, type ExampleFailure } from '../src/evaluate/failures.js';
import type { Metric, MetricContext, MetricResult } from '../src/evaluate/metric.js';
import { emptyUsage, type RunUsage } from '../src/lm/usage-meter.js';
import type { AnyModule, Module } from '../src/module/module.js';
import type { ExampleLike } from './optimizer.js';

/** Default types of a metric's example and prediction when the metric does not annotate them. */
export type DefaultExample = Record<string, unknown>;
export type DefaultPrediction = Record<string, unknown>;

/** A metric with its example and prediction types erased, as optimizers call it internally. */
export type AnyMetric = (
  example: Record<string, unknown>,
  prediction: unknown,
  ctx?: MetricContext,
) => MetricResult | Promise<MetricResult>;

/**
 * Optimizers are generic in the metric's example and prediction types (inferred from the metric you pass);
 * internally they call it on plain records and whatever the program returned.
 */
export function eraseMetric<E, P>(metric: Metric<E, P>): AnyMetric {
  return metric as unknown as AnyMetric;
}

export interface ProgramScore {
  /** Mean score, 0–1. */
  score: number;
  scores: number[];
  metricCalls: number;
  failures: readonly ExampleFailure[];
  usage: RunUsage;
}

/**
 * Mean score (0–1) of a program on examples, with the metric calls, failures and LM usage it took. Failures are
 * summarized on stderr under `label`; with `abortAs`, a run where user code failed on every example throws
 * OptimizationAbortedError (the first-full-evaluation guard).
 */
export async function scoreProgram(
  program: AnyModule,
  examples: readonly ExampleLike[],
  metric: AnyMetric,
  concurrency: number,
  options: { label?: string; abortAs?: string; examplesName?: string } = {},
): Promise<ProgramScore> {
  const evaluate = new Evaluate({
    devset: examples,
    metric,
    concurrency,
    displayProgress: false,
    maxErrors: Number.POSITIVE_INFINITY,
  });
  const result = await evaluate.run(program as unknown as Module<unknown, unknown>, { label: options.label ?? 'Evaluate' });
  if (options.abortAs) abortIfAllFailed(options.abortAs, result.failureList, result.results.length, options.examplesName);
  return {
    score: result.score / 100,
    scores: result.results.map((r) => r.score),
    metricCalls: result.results.filter((r) => r.prediction !== undefined).length,
    failures: result.failureList,
    usage: result.usage ?? emptyUsage(),
  };
}

/** Options as saved in program metadata: scalars only (no functions, LMs or secrets). */
export function scalarOptions(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)));
}
