import { TsdspyError } from '../errors/index.js';
import type { Trace } from '../trace/trace.js';

/**
 * What a metric may return: a score, a pass/fail, or a score with textual feedback (which GEPA reads) and, for
 * multi-objective optimization, a score per objective (GEPA's `frontierType: 'objective' | 'hybrid' | 'cartesian'`).
 */
export type MetricResult = number | boolean | { score: number; feedback?: string; objectiveScores?: Record<string, number> };

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

export function normalizeMetricResult(result: MetricResult): {
  score: number;
  feedback?: string;
  objectiveScores?: Record<string, number>;
} {
  if (typeof result === 'boolean') return { score: result ? 1 : 0 };
  if (typeof result === 'number') {
    if (!Number.isFinite(result))
      throw new InvalidMetricResultError(`Metric returned ${result}; return a finite number, a boolean, or { score, feedback }`);
    return { score: result };
  }
  if (result && typeof result === 'object' && typeof result.score === 'number' && Number.isFinite(result.score)) {
    const objectives = result.objectiveScores;
    if (objectives !== undefined && !isScoreRecord(objectives)) {
      throw new InvalidMetricResultError(
        `Metric returned objectiveScores ${JSON.stringify(objectives)}; give a finite number per objective name`,
      );
    }
    return {
      score: result.score,
      ...(result.feedback === undefined ? {} : { feedback: String(result.feedback) }),
      ...(objectives === undefined ? {} : { objectiveScores: { ...objectives } }),
    };
  }
  throw new InvalidMetricResultError(
    `Metric returned ${JSON.stringify(result)}; return a finite number, a boolean, or { score: number, feedback?: string }`,
  );
}

function isScoreRecord(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}
