import { Evaluate } from '../src/evaluate/evaluate.js';
import type { Metric } from '../src/evaluate/metric.js';
import type { AnyModule, Module } from '../src/module/module.js';
import type { ExampleLike } from './optimizer.js';

// biome-ignore lint/suspicious/noExplicitAny: metrics are written against the user's own example and prediction types
export type OptimizerMetric = Metric<Record<string, any>, any>;

/** Mean score (0–1) of a program on examples, with the number of metric calls it took. */
export async function scoreProgram(
  program: AnyModule,
  examples: readonly ExampleLike[],
  metric: OptimizerMetric,
  concurrency: number,
): Promise<{ score: number; scores: number[]; metricCalls: number }> {
  const evaluate = new Evaluate({
    devset: examples,
    metric: metric as Metric<Record<string, unknown>, unknown>,
    concurrency,
    displayProgress: false,
  });
  const result = await evaluate.run(program as unknown as Module<unknown, unknown>);
  return {
    score: result.score / 100,
    scores: result.results.map((r) => r.score),
    metricCalls: result.results.filter((r) => r.prediction !== undefined).length,
  };
}
