import { TsdspyError } from '../errors/index.js';
import type { Trace } from '../trace/trace.js';

/** What a metric may return: a score, a pass/fail, or a score with textual feedback (which GEPA reads). */
export type MetricResult = number | boolean | { score: number; feedback?: string };

/** Extra context optimizers pass to metrics: the full trace, and for per-predictor feedback its name and calls. */
export interface MetricContext {
  trace?: Trace;
  predName?: string;
  predTrace?: Trace;
}

/**
 * Scores a prediction against an example. `example` is the example's plain data (Example objects are unwrapped),
 * so `example.answer` reads a field directly.
 */
export type Metric<E = Record<string, unknown>, P = Record<string, unknown>> = (
  example: E,
  prediction: P,
  ctx?: MetricContext,
) => MetricResult | Promise<MetricResult>;

/** A metric returned something that is not a finite score. */
export class InvalidMetricResultError extends TsdspyError {}

export function normalizeMetricResult(result: MetricResult): { score: number; feedback?: string } {
  if (typeof result === 'boolean') return { score: result ? 1 : 0 };
  if (typeof result === 'number') {
    if (!Number.isFinite(result))
      throw new InvalidMetricResultError(`Metric returned ${result}; return a finite number, a boolean, or { score, feedback }`);
    return { score: result };
  }
  if (result && typeof result === 'object' && typeof result.score === 'number' && Number.isFinite(result.score)) {
    return result.feedback === undefined ? { score: result.score } : { score: result.score, feedback: String(result.feedback) };
  }
  throw new InvalidMetricResultError(
    `Metric returned ${JSON.stringify(result)}; return a finite number, a boolean, or { score: number, feedback?: string }`,
  );
}
