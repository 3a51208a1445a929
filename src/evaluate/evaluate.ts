import cliProgress from 'cli-progress';
import pLimit from 'p-limit';
import { z } from 'zod';
import { assertInputKeys, type Example, exampleData, exampleInputs } from '../data/example.js';
import { TsdspyError } from '../errors/index.js';
import { emptyUsage, meterUsage } from '../lm/usage-meter.js';
import { logger } from '../logger/logger.js';
import type { Module } from '../module/module.js';
import { validateOptions, zFunction } from '../options/validate.js';
import { currentSettings } from '../settings/settings.js';
import { inSpan } from '../telemetry/otel.js';
import { classifyFailure, type ExampleFailure, reportFailures } from './failures.js';
import { type Metric, normalizeMetricResult } from './metric.js';
import { type EvaluationRecord, EvaluationResult } from './result.js';

type Data = Record<string, unknown>;

export interface EvaluateOptions<P> {
  devset: ReadonlyArray<Example<object> | Data>;
  metric: Metric<Data, P>;
  /** Examples evaluated at once (default 8). */
  concurrency?: number;
  /** A progress bar on a TTY (never in CI or when output is piped). Default true. */
  displayProgress?: boolean;
  /** Print the first N results as a table after the run (default 0). */
  displayTable?: number;
  /**
   * Stop with EvaluationAbortedError once this many examples threw (default: `configure({ maxErrors })`, else 10,
   * as DSPy). `Infinity` never stops.
   */
  maxErrors?: number;
  /** Score given to an example whose program or metric threw (default 0). */
  failureScore?: number;
  /** Keep and print the stack of each error. */
  provideTraceback?: boolean;
}

/** Evaluate was constructed with options that cannot work (an unknown key, a wrong type). */
export class EvaluateConfigError extends TsdspyError {}

const optionsSchema = z.object({
  devset: z.array(z.unknown()).readonly(),
  metric: zFunction,
  concurrency: z.number().int().positive().optional(),
  displayProgress: z.boolean().optional(),
  displayTable: z.number().int().nonnegative().optional(),
  maxErrors: z.custom<number>((v) => typeof v === 'number' && v > 0, 'expected a positive number (or Infinity)').optional(),
  failureScore: z.number().optional(),
  provideTraceback: z.boolean().optional(),
});

/** Options of one `Evaluate.run`. */
export interface EvaluateRunOptions {
  signal?: AbortSignal;
  /** Names the run in the failure summary line (default `Evaluate`). */
  label?: string;
}

/** As many examples failed as `maxErrors` allows. `partial` holds what completed. */
export class EvaluationAbortedError extends TsdspyError {
  constructor(
    message: string,
    readonly partial: EvaluationResult,
  ) {
    super(message);
  }
}

/**
 * Runs a program over a devset concurrently and scores each prediction with the metric.
 * Results come back in devset order whatever the concurrency.
 */
export class Evaluate<P = object> {
  readonly devset: ReadonlyArray<Example<object> | Data>;
  readonly metric: Metric<Data, P>;
  readonly concurrency: number;
  readonly displayProgress: boolean;
  readonly displayTable: number;
  readonly maxErrors: number;
  readonly failureScore: number;
  readonly provideTraceback: boolean;

  constructor(options: EvaluateOptions<P>) {
    if (typeof options?.metric !== 'function')
      throw new EvaluateConfigError('Evaluate needs a metric function (example, prediction) => score');
    validateOptions(optionsSchema, options, (m) => new EvaluateConfigError(m), 'new Evaluate({ … })');
    this.devset = options.devset;
    this.metric = options.metric;
    this.concurrency = options.concurrency ?? 8;
    this.displayProgress = options.displayProgress ?? true;
    this.displayTable = options.displayTable ?? 0;
    this.maxErrors = options.maxErrors ?? currentSettings().maxErrors ?? 10;
    this.failureScore = options.failureScore ?? 0;
    this.provideTraceback = options.provideTraceback ?? false;
  }

  /**
   * Evaluates `program`. With an AbortSignal, stops starting examples and returns what completed. When any example
   * failed, one summary line goes to stderr through the logger (counts by error and the first message).
   */
  async run<I>(program: Module<I, P>, options: EvaluateRunOptions = {}): Promise<EvaluationResult<Data, P>> {
    assertInputKeys(this.devset, 'Evaluate');
    const attributes = { 'tsdspy.evaluate.devset_size': this.devset.length, 'tsdspy.evaluate.concurrency': this.concurrency };
    return inSpan('tsdspy.evaluate', { attributes }, async (span) => {
      const result = await this.runAll(program, options);
      span?.setAttributes({
        'tsdspy.evaluate.score': result.score,
        'tsdspy.evaluate.completed': result.results.length,
        'tsdspy.evaluate.errors': result.results.filter((r) => r.error !== undefined).length,
      });
      return result;
    });
  }

  private async runAll<I>(program: Module<I, P>, options: EvaluateRunOptions): Promise<EvaluationResult<Data, P>> {
    const { signal } = options;
    const limit = pLimit(this.concurrency);
    const records: Array<EvaluationRecord<Data, P> | undefined> = new Array(this.devset.length);
    const failures: Array<ExampleFailure | undefined> = new Array(this.devset.length);
    const usage = emptyUsage();
    const bar = this.progressBar();
    let errors = 0;
    let aborted = false;
    let tooManyErrors = false;
    let done = 0;

    await meterUsage(usage, () =>
      Promise.all(
        this.devset.map((item, index) =>
          limit(async () => {
            if (tooManyErrors || signal?.aborted) {
              aborted ||= signal?.aborted === true;
              return;
            }
            const example = exampleData(item);
            const inputs = exampleInputs(item) as I;
            let record: EvaluationRecord<Data, P>;
            try {
              const prediction = await program.call(inputs, signal ? { signal } : {});
              try {
                record = { index, example, prediction, ...normalizeMetricResult(await this.metric(example, prediction)) };
              } catch (error) {
                failures[index] = { kind: classifyFailure(error, 'metric'), error };
                record = this.failure(index, example, error, prediction);
              }
            } catch (error) {
              if (signal?.aborted) {
                aborted = true;
                return;
              }
              failures[index] = { kind: classifyFailure(error, 'program'), error };
              record = this.failure(index, example, error);
            }
            if (record.error !== undefined) {
              errors++;
              if (errors >= this.maxErrors) tooManyErrors = true;
            }
            records[index] = record;
            done++;
            bar?.update(done, { score: scoreOf(records).toFixed(1) });
          }),
        ),
      ),
    );
    bar?.stop();
    const completed = records.filter((r): r is EvaluationRecord<Data, P> => r !== undefined);
    const failed = failures.filter((f): f is ExampleFailure => f !== undefined);
    const failureSummary = reportFailures(options.label ?? 'Evaluate', failed, completed.length);
    const result = new EvaluationResult<Data, P>(scoreOf(completed), completed, this.devset.length, aborted || tooManyErrors, {
      usage,
      ...(failureSummary ? { failures: failureSummary } : {}),
      failureList: failed,
    });
    if (tooManyErrors) {
      throw new EvaluationAbortedError(
        `Evaluation stopped: ${errors} examples failed, reaching maxErrors (${this.maxErrors}). First error: ${completed.find((r) => r.error)?.error}. Raise maxErrors (Infinity never stops) or fix the cause.`,
        result as EvaluationResult,
      );
    }
    if (this.displayTable > 0) printTable(completed.slice(0, this.displayTable));
    return result;
  }

  private failure(index: number, example: Data, error: unknown, prediction?: P): EvaluationRecord<Data, P> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    if (this.provideTraceback && stack) logger.error(`Example ${index} failed:\n${stack}`);
    return {
      index,
      example,
      ...(prediction === undefined ? {} : { prediction }),
      score: this.failureScore,
      error: message,
      ...(this.provideTraceback && stack ? { stack } : {}),
    };
  }

  private progressBar() {
    if (!this.displayProgress || !process.stderr.isTTY || process.env.CI) return undefined;
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'Evaluate |{bar}| {value}/{total} · score {score}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(this.devset.length, 0, { score: '0.0' });
    return bar;
  }
}

function scoreOf(records: ReadonlyArray<EvaluationRecord<Data, unknown> | undefined>): number {
  const done = records.filter((r): r is EvaluationRecord<Data, unknown> => r !== undefined);
  if (done.length === 0) return 0;
  return (100 * done.reduce((sum, r) => sum + r.score, 0)) / done.length;
}

function printTable(records: ReadonlyArray<EvaluationRecord<Data, unknown>>): void {
  const cell = (v: unknown) => {
    const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  };
  console.table(
    records.map((r) => ({
      ...Object.fromEntries(Object.entries(r.example).map(([k, v]) => [k, cell(v)])),
      prediction: cell((r.prediction as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? r.prediction),
      score: r.score,
      ...(r.error ? { error: cell(r.error) } : {}),
    })),
  );
}
