import type { RunUsage } from '../lm/usage-meter.js';
import type { ExampleFailure, FailureSummary } from './failures.js';

/** One example's outcome. `prediction` is undefined when the program threw. */
export interface EvaluationRecord<E = Record<string, unknown>, P = unknown> {
  index: number;
  example: E;
  prediction?: P;
  score: number;
  feedback?: string;
  error?: string;
  stack?: string;
  /** With a distributed backend: the worker on which this example failed. */
  workerId?: string;
}

/** What `Evaluate.run` returns: the score (0–100) and every example's record, in devset order. */
export class EvaluationResult<E = Record<string, unknown>, P = unknown> {
  constructor(
    /** Mean score × 100 over the completed examples (errors count as the failure score). */
    readonly score: number,
    readonly results: EvaluationRecord<E, P>[],
    /** Size of the devset; more than `results.length` when the run was aborted. */
    readonly total: number,
    readonly aborted: boolean,
    extra: { usage?: RunUsage; failures?: FailureSummary; failureList?: readonly ExampleFailure[] } = {},
  ) {
    if (extra.usage) this.usage = extra.usage;
    if (extra.failures) this.failures = extra.failures;
    // The thrown errors themselves (for optimizers that abort with one as `cause`); not serialized.
    Object.defineProperty(this, 'failureList', { value: extra.failureList ?? [], enumerable: false });
  }

  /** LM calls and tokens the run spent (all of it is the program's: `usage.task`). */
  readonly usage?: RunUsage;
  /** Counts of the failed examples by error, when any failed. */
  readonly failures?: FailureSummary;
  declare readonly failureList: readonly ExampleFailure[];

  get errors(): number {
    return this.results.filter((r) => r.error !== undefined).length;
  }

  toJSON() {
    return {
      score: this.score,
      total: this.total,
      completed: this.results.length,
      aborted: this.aborted,
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.failures ? { failures: this.failures } : {}),
      results: this.results.map((r) => ({ ...r, prediction: plain(r.prediction) })),
    };
  }

  /** One row per example: index, example fields, prediction fields (prefixed `pred.`), score, feedback, error. */
  toCSV(): string {
    const exampleKeys = unionKeys(this.results.map((r) => r.example as Record<string, unknown>));
    const predictionKeys = unionKeys(this.results.map((r) => plain(r.prediction) as Record<string, unknown> | undefined));
    const header = ['index', ...exampleKeys, ...predictionKeys.map((k) => `pred.${k}`), 'score', 'feedback', 'error'];
    const rows = this.results.map((r) => {
      const example = r.example as Record<string, unknown>;
      const prediction = (plain(r.prediction) ?? {}) as Record<string, unknown>;
      return [
        r.index,
        ...exampleKeys.map((k) => example[k]),
        ...predictionKeys.map((k) => prediction[k]),
        r.score,
        r.feedback,
        r.error,
      ];
    });
    return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
  }
}

function plain(value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  return value;
}

function unionKeys(records: Array<Record<string, unknown> | undefined>): string[] {
  const keys = new Set<string>();
  for (const r of records) if (r && typeof r === 'object') for (const k of Object.keys(r)) keys.add(k);
  return [...keys];
}

/** RFC 4180: quote cells holding commas, quotes or newlines; non-strings as JSON. */
function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
