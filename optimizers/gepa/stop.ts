import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What stop conditions see after every iteration. */
export interface StopContext {
  iteration: number;
  totalMetricCalls: number;
  bestScore: number;
  iterationsWithoutImprovement: number;
  reflectionCost: number;
  /** Milliseconds since this process started (or resumed) the run. */
  elapsedMs: number;
  runDir?: string;
}

export interface StopCondition {
  /** Short reason recorded in the result when this condition fires. */
  readonly name: string;
  shouldStop(ctx: StopContext): boolean;
  /** A hard cap on metric calls that the engine enforces within iterations, not only between them. */
  readonly metricCallLimit?: number;
  /**
   * A money cap: it only works when the reflection LM's cost can be measured, so `optimize` refuses it otherwise.
   * `price` (USD per million tokens) counts cost from token usage for LMs with no known price.
   */
  readonly cost?: { price?: { input: number; output: number } };
}

/** Built-in stop conditions; pass one or several as `stopWhen`. The run stops when any fires. */
export const stopWhen = {
  maxMetricCalls: (n: number): StopCondition => ({
    name: `maxMetricCalls(${n})`,
    shouldStop: (c) => c.totalMetricCalls >= n,
    metricCallLimit: n,
  }),
  maxIterations: (n: number): StopCondition => ({ name: `maxIterations(${n})`, shouldStop: (c) => c.iteration >= n }),
  /**
   * Reflection spend in USD. Needs a reflection LM whose cost is measurable: a priced model, or `price` (USD per
   * million input / output tokens) to count it from token usage. Anything else is refused before the run starts.
   */
  maxReflectionCost: (usd: number, options: { price?: { input: number; output: number } } = {}): StopCondition => ({
    name: `maxReflectionCost(${usd})`,
    shouldStop: (c) => c.reflectionCost >= usd,
    cost: options.price ? { price: options.price } : {},
  }),
  timeout: (ms: number): StopCondition => ({ name: `timeout(${ms}ms)`, shouldStop: (c) => c.elapsedMs >= ms }),
  noImprovement: (iterations: number): StopCondition => ({
    name: `noImprovement(${iterations})`,
    shouldStop: (c) => c.iterationsWithoutImprovement >= iterations,
  }),
  scoreThreshold: (score: number): StopCondition => ({
    name: `scoreThreshold(${score})`,
    shouldStop: (c) => c.bestScore >= score,
  }),
  /** Stops when a file appears; relative names are resolved in the run dir (default `STOP`). */
  stopFile: (path = 'STOP'): StopCondition => ({
    name: `stopFile(${path})`,
    shouldStop: (c) => existsSync(c.runDir && !path.startsWith('/') ? join(c.runDir, path) : path),
  }),
  signal: (signal: AbortSignal): StopCondition => ({ name: 'aborted', shouldStop: () => signal.aborted }),
};
