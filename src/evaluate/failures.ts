import { AdapterParseError } from '../adapters/errors.js';
import { TsdspyError } from '../errors/index.js';
import { logger } from '../logger/logger.js';
import { InvalidMetricResultError } from './metric.js';

/**
 * Why one example failed. `format`: the LM reply could not be parsed (legitimate feedback for an optimizer);
 * the others are bugs in user code (or an unreachable LM) that no amount of optimization can fix.
 */
export type FailureKind = 'format' | 'program' | 'metric' | 'invalidMetric' | 'evaluator' | 'timeout';

/** Kinds that never abort an optimization: they are feedback (format) or transient (timeout), not bugs. */
const FEEDBACK_KINDS: ReadonlySet<FailureKind> = new Set(['format', 'timeout']);

export interface ExampleFailure {
  kind: FailureKind;
  error: unknown;
}

/** Counts of the failures of one evaluation, by error name, with the first error's message. */
export interface FailureSummary {
  /** Examples evaluated. */
  total: number;
  /** Examples that failed. */
  failed: number;
  /** Failures per error name (`AdapterParseError`, `TypeError`, …). */
  byError: Record<string, number>;
  /** Failures per kind. */
  byKind: Partial<Record<FailureKind, number>>;
  /** `Name: message` of the first failure. */
  firstMessage: string;
}

/** Classifies an error thrown by the program (`stage: 'program'`) or by the metric. */
export function classifyFailure(error: unknown, stage: 'program' | 'metric'): FailureKind {
  if (error instanceof InvalidMetricResultError) return 'invalidMetric';
  if (stage === 'metric') return 'metric';
  return error instanceof AdapterParseError ? 'format' : 'program';
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Summarizes the failures of an evaluation of `total` examples; undefined when none failed. */
export function summarizeFailures(failures: readonly ExampleFailure[], total: number): FailureSummary | undefined {
  if (failures.length === 0) return undefined;
  const byError: Record<string, number> = {};
  const byKind: Partial<Record<FailureKind, number>> = {};
  for (const f of failures) {
    const name = errorName(f.error);
    byError[name] = (byError[name] ?? 0) + 1;
    byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  }
  const first = failures[0] as ExampleFailure;
  return {
    total,
    failed: failures.length,
    byError,
    byKind,
    firstMessage: `${errorName(first.error)}: ${oneLine(errorMessage(first.error))}`,
  };
}

/** Adds two summaries (e.g. over every evaluation of a run). */
export function mergeFailureSummaries(a: FailureSummary | undefined, b: FailureSummary | undefined): FailureSummary | undefined {
  if (!a) return b;
  if (!b) return a;
  const byError = { ...a.byError };
  for (const [k, n] of Object.entries(b.byError)) byError[k] = (byError[k] ?? 0) + n;
  const byKind = { ...a.byKind };
  for (const [k, n] of Object.entries(b.byKind) as [FailureKind, number][]) byKind[k] = (byKind[k] ?? 0) + n;
  return { total: a.total + b.total, failed: a.failed + b.failed, byError, byKind, firstMessage: a.firstMessage };
}

/** `Evaluate: 3 of 4 examples failed (AdapterParseError ×3: "could not parse …")`. */
export function failureLine(label: string, summary: FailureSummary): string {
  const counts = Object.entries(summary.byError)
    .sort((x, y) => y[1] - x[1])
    .map(([name, n]) => `${name} ×${n}`)
    .join(', ');
  const message = summary.firstMessage.replace(/^[^:]*: /, '');
  return `${label}: ${summary.failed} of ${summary.total} examples failed (${counts}: "${trim(message, 160)}")`;
}

/** Writes the one-line summary through the logger when any example failed; returns the summary. */
export function reportFailures(label: string, failures: readonly ExampleFailure[], total: number): FailureSummary | undefined {
  const summary = summarizeFailures(failures, total);
  if (summary) logger.warn(failureLine(label, summary));
  return summary;
}

/** An optimizer stopped because user code failed on every example of its first full evaluation. */
export class OptimizationAbortedError extends TsdspyError {
  constructor(
    message: string,
    /** What failed: `metric`, `invalidMetric` or `program` (the most frequent kind). */
    readonly kind: FailureKind,
    readonly failed: number,
    readonly total: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type BugKind = Exclude<FailureKind, 'format' | 'timeout'>;

const WHAT: Record<BugKind, string> = {
  metric: 'the metric threw',
  invalidMetric: 'the metric returned something that is not a score',
  program: 'the program threw',
  evaluator: 'the evaluator threw',
};

const FIX: Record<BugKind, string> = {
  metric: 'Fix the metric (run it on one example and a prediction by hand) and start again.',
  invalidMetric: 'Return a finite number, a boolean, or { score, feedback } from the metric.',
  program: 'Run the program on one example by hand to see the error, fix it and start again.',
  evaluator: 'Call the evaluator on the seed by hand to see the error, fix it and start again.',
};

/**
 * The first-full-evaluation guard: when every one of `total` examples failed and none of the failures is a format
 * failure, user code is broken and spending budget is pointless. Throws OptimizationAbortedError with the count and
 * the first underlying error as `cause`.
 */
export function abortIfAllFailed(
  optimizer: string,
  failures: readonly ExampleFailure[],
  total: number,
  examples = 'validation examples',
): void {
  if (total === 0 || failures.length < total) return;
  if (failures.some((f) => FEEDBACK_KINDS.has(f.kind))) return;
  const counts = new Map<BugKind, number>();
  for (const f of failures) {
    const kind = f.kind as BugKind;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const [kind] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] as [BugKind, number];
  const first = failures.find((f) => f.kind === kind) as ExampleFailure;
  const what =
    counts.size === 1
      ? `${WHAT[kind]} on ${total} of ${total} ${examples}`
      : `user code failed on ${total} of ${total} ${examples} (${[...counts].map(([k, n]) => `${WHAT[k]} on ${n}`).join(', ')})`;
  throw new OptimizationAbortedError(
    `${optimizer} aborted before optimizing: ${what}. First error: ${errorName(first.error)}: ${oneLine(errorMessage(first.error))}. ${FIX[kind]} No further budget was spent.`,
    kind,
    failures.length,
    total,
    { cause: first.error },
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function trim(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
