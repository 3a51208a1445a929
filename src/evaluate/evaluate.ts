import { randomUUID } from 'node:crypto';
import cliProgress from 'cli-progress';
import pLimit from 'p-limit';
import { z } from 'zod';
import { type EvaluationBackend, withBackend } from '../backends/backend.js';
import { portableState, toPortableExample } from '../backends/transport.js';
import { assertInputKeys, type Example, exampleData, exampleInputs } from '../data/example.js';
import { TsdspyError } from '../errors/index.js';
import { emptyUsage, meterUsage } from '../lm/usage-meter.js';
import { logger } from '../logger/logger.js';
import { Module } from '../module/module.js';
import { validateOptions, zFunction, zObject } from '../options/validate.js';
import { currentSettings } from '../settings/settings.js';
import { inSpan } from '../telemetry/otel.js';
import { describeFailure } from './failure.js';
import { classifyFailure, type ExampleFailure, reportFailures } from './failures.js';
import { type Metric, normalizeMetricResult } from './metric.js';
import { EVALUATE_JOB, type EvaluateJobPayload, recordFromJob } from './remote.js';
import { type EvaluationRecord, EvaluationResult } from './result.js';

type Data = Record<string, unknown>;

export interface EvaluateOptions<P> {
  devset: ReadonlyArray<Example<object> | Data>;
  /** Required unless a `backend` runs the examples (then the workers' module exports `metric`). */
  metric?: Metric<Data, P>;
  /**
   * Run each example on workers instead of in this process: the module's `program` (loaded with the state of the
   * program given to `run`, if any) and its `metric`. See docs/distributed.md.
   */
  backend?: EvaluationBackend;
  /** Examples evaluated at once (default 8; with a backend, the backend's concurrency). */
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
  metric: zFunction.optional(),
  backend: zObject.optional(),
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

/** Why each failed record failed (the thrown error itself), kept off the serialized record. */
const failureOf = new WeakMap<object, ExampleFailure>();

/** What Evaluate runs: a module, or a plain (async) function of the example's inputs. */
export type EvaluatedProgram<I, P> = Module<I, P> | ((inputs: I, options: { signal?: AbortSignal }) => Promise<P> | P);

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
  readonly metric: Metric<Data, P> | undefined;
  readonly backend: EvaluationBackend | undefined;
  readonly concurrency: number;
  readonly displayProgress: boolean;
  readonly displayTable: number;
  readonly maxErrors: number;
  readonly failureScore: number;
  readonly provideTraceback: boolean;

  constructor(options: EvaluateOptions<P>) {
    validateOptions(optionsSchema, options, (m) => new EvaluateConfigError(m), 'new Evaluate({ … })');
    if (typeof options.metric !== 'function' && !options.backend)
      throw new EvaluateConfigError(
        'Evaluate needs a metric function (example, prediction) => score, or a backend whose module exports one',
      );
    this.devset = options.devset;
    this.metric = options.metric;
    this.backend = options.backend;
    this.concurrency = options.concurrency ?? (options.backend ? Number.MAX_SAFE_INTEGER : 8);
    this.displayProgress = options.displayProgress ?? true;
    this.displayTable = options.displayTable ?? 0;
    this.maxErrors = options.maxErrors ?? currentSettings().maxErrors ?? 10;
    this.failureScore = options.failureScore ?? 0;
    this.provideTraceback = options.provideTraceback ?? false;
  }

  /**
   * Evaluates `program`: a module, or any async function of the example's inputs (DSPy accepts any callable).
   * With an AbortSignal, stops starting examples and returns what completed.
   * With a backend, `run()` evaluates the workers' module program; `run(program)` sends the program's state along.
   * When any example failed, one summary line goes to stderr through the logger (counts by error, first message).
   */
  async run<I>(program?: EvaluatedProgram<I, P>, options: EvaluateRunOptions = {}): Promise<EvaluationResult<Data, P>> {
    if (program !== undefined && typeof program !== 'function' && !(program instanceof Module)) {
      throw new TsdspyError('Evaluate.run needs a program: a Module or an async function (inputs) => prediction');
    }
    assertInputKeys(this.devset, 'Evaluate');
    const attributes = { 'tsdspy.evaluate.devset_size': this.devset.length, 'tsdspy.evaluate.concurrency': this.concurrency };
    return inSpan('tsdspy.evaluate', { attributes }, async (span) => {
      const result = await this.runAll(program, options.signal, options.label ?? 'Evaluate');
      span?.setAttributes({
        'tsdspy.evaluate.score': result.score,
        'tsdspy.evaluate.completed': result.results.length,
        'tsdspy.evaluate.errors': result.results.filter((r) => r.error !== undefined).length,
      });
      return result;
    });
  }

  private runAll<I>(
    program: EvaluatedProgram<I, P> | undefined,
    signal: AbortSignal | undefined,
    label: string,
  ): Promise<EvaluationResult<Data, P>> {
    const { backend } = this;
    if (backend) {
      if (typeof program === 'function') {
        throw new TsdspyError('Evaluate with a backend runs modules on workers; a plain function cannot be sent there');
      }
      return withBackend(backend, () => this.evaluateAll(this.remoteRunner(backend, program), signal, label));
    }
    if (!program) throw new TsdspyError('Evaluate.run needs the program to evaluate (or a backend whose module exports one)');
    return this.evaluateAll((item, index) => this.runLocally(program, item, index, signal), signal, label);
  }

  private async runLocally<I>(
    program: EvaluatedProgram<I, P>,
    item: Example<object> | Data,
    index: number,
    signal: AbortSignal | undefined,
  ): Promise<EvaluationRecord<Data, P> | undefined> {
    const example = exampleData(item);
    const inputs = exampleInputs(item) as I;
    try {
      const options = signal ? { signal } : {};
      const prediction = await (program instanceof Module ? program.call(inputs, options) : program(inputs, options));
      try {
        return {
          index,
          example,
          prediction,
          ...normalizeMetricResult(await (this.metric as Metric<Data, P>)(example, prediction)),
        };
      } catch (error) {
        return this.failure(index, example, error, 'metric', prediction);
      }
    } catch (error) {
      if (signal?.aborted) return undefined;
      return this.failure(index, example, error, 'program');
    }
  }

  /** Each example becomes one job; its id is unique to this run, so a rerun never reuses another run's results. */
  private remoteRunner<I>(backend: EvaluationBackend, program: Module<I, P> | undefined) {
    const runId = randomUUID().slice(0, 12);
    const state = program ? portableState(program) : undefined;
    return async (item: Example<object> | Data, index: number): Promise<EvaluationRecord<Data, P>> => {
      const payload: EvaluateJobPayload = {
        example: toPortableExample(item),
        ...(state ? { state } : {}),
        failureScore: this.failureScore,
        provideTraceback: this.provideTraceback,
      };
      const [result] = await backend.run([{ id: `ev-${runId}-${index}`, kind: EVALUATE_JOB, payload }]);
      const record = recordFromJob<P>(index, exampleData(item), result as NonNullable<typeof result>);
      if (record.stack) process.stderr.write(`Example ${index} failed on worker ${record.workerId}:\n${record.stack}\n`);
      return record;
    };
  }

  private async evaluateAll(
    evaluateOne: (item: Example<object> | Data, index: number) => Promise<EvaluationRecord<Data, P> | undefined>,
    signal: AbortSignal | undefined,
    label: string,
  ): Promise<EvaluationResult<Data, P>> {
    const limit = pLimit(this.concurrency);
    const usage = emptyUsage();
    const records: Array<EvaluationRecord<Data, P> | undefined> = new Array(this.devset.length);
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
            const record = await evaluateOne(item, index);
            if (!record) {
              aborted = true;
              return;
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
    const failed = completed.flatMap((r): ExampleFailure[] => {
      if (r.error === undefined) return [];
      // Records from workers carry the error's text only.
      return [
        failureOf.get(r) ?? {
          kind: 'program',
          error: Object.assign(new Error(r.error), { name: r.error.split(':')[0] ?? 'Error' }),
        },
      ];
    });
    const failureSummary = reportFailures(label, failed, completed.length);
    const result = new EvaluationResult<Data, P>(scoreOf(completed), completed, this.devset.length, aborted || tooManyErrors, {
      usage,
      ...(failureSummary ? { failures: failureSummary } : {}),
      failureList: failed,
    });
    if (tooManyErrors) {
      throw new EvaluationAbortedError(
        `Evaluation stopped: ${errors} examples failed, reaching maxErrors (${this.maxErrors}). Raise maxErrors (Infinity never stops) or fix the cause. First error: ${completed.find((r) => r.error)?.error}`,
        result as EvaluationResult,
      );
    }
    if (this.displayTable > 0) printTable(completed.slice(0, this.displayTable));
    return result;
  }

  private failure(
    index: number,
    example: Data,
    error: unknown,
    stage: 'program' | 'metric',
    prediction?: P,
  ): EvaluationRecord<Data, P> {
    const failure = describeFailure(error, this.provideTraceback);
    if (failure.stack) logger.error(`Example ${index} failed:\n${failure.stack}`);
    const record = { index, example, ...(prediction === undefined ? {} : { prediction }), score: this.failureScore, ...failure };
    failureOf.set(record, { kind: classifyFailure(error, stage), error });
    return record;
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
