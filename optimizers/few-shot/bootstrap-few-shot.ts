import pLimit from 'p-limit';
import { z } from 'zod';
import { exampleData } from '../../src/data/example.js';
import { TsdspyError } from '../../src/errors/index.js';
import {
  abortIfAllFailed,
  classifyFailure,
  type ExampleFailure,
  errorMessage,
  reportFailures,
} from '../../src/evaluate/failures.js';
import type { Metric } from '../../src/evaluate/metric.js';
import { normalizeMetricResult } from '../../src/evaluate/metric.js';
import type { AnyModule } from '../../src/module/module.js';
import { setProgramMetadata } from '../../src/module/state.js';
import { validateOptions, zFunction, zObject } from '../../src/options/validate.js';
import { currentSettings, withSettings } from '../../src/settings/settings.js';
import { captureTraceSettled, type Trace } from '../../src/trace/trace.js';
import { Rng, seedState } from '../gepa/rng.js';
import { BaseOptimizer, type ExampleLike, exampleInputs, OptimizerConfigError } from '../optimizer.js';
import { optimizerProgress } from '../progress.js';
import { type DefaultExample, type DefaultPrediction, eraseMetric, scalarOptions } from '../shared.js';

export interface BootstrapFewShotOptions<E = DefaultExample, P = DefaultPrediction> {
  metric: Metric<E, P>;
  /** A trace passes when its score is ≥ this (default: score ≥ 1, or `true`). */
  metricThreshold?: number;
  /** The program that produces the traces (default: the student itself, with labeled demos). */
  teacher?: AnyModule;
  maxBootstrappedDemos?: number;
  maxLabeledDemos?: number;
  /** Attempts per example; later rounds sample at temperature 1 with a fresh rollout id. */
  maxRounds?: number;
  /** Program or metric errors tolerated before giving up (default 10). */
  maxErrors?: number;
  concurrency?: number;
  seed?: number;
  /** A progress bar on a TTY (default true). */
  displayProgress?: boolean;
}

export const bootstrapOptionsShape = {
  metric: zFunction,
  metricThreshold: z.number().optional(),
  teacher: zObject.optional(),
  maxBootstrappedDemos: z.number().int().nonnegative().optional(),
  maxLabeledDemos: z.number().int().nonnegative().optional(),
  maxRounds: z.number().int().nonnegative().optional(),
  maxErrors: z.custom<number>((v) => typeof v === 'number' && v >= 0, 'expected a number ≥ 0 (or Infinity)').optional(),
  concurrency: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  displayProgress: z.boolean().optional(),
};

/** Bootstrapping failed more often than `maxErrors` allows. */
export class BootstrapError extends TsdspyError {}

/** Per predictor name, the demos bootstrapped from passing traces. */
export type BootstrappedDemos = Map<string, Record<string, unknown>[]>;

/**
 * Runs the teacher on training examples inside `captureTrace`; when the final prediction passes the metric, each
 * predictor call in the trace becomes a demo (its inputs and outputs) for that predictor. Then tops up with labeled
 * examples. DSPy's BootstrapFewShot.
 */
export class BootstrapFewShot<E = DefaultExample, P = DefaultPrediction> extends BaseOptimizer {
  readonly name = 'BootstrapFewShot';

  constructor(readonly options: BootstrapFewShotOptions<E, P>) {
    super();
    if (typeof options?.metric !== 'function')
      throw new OptimizerConfigError('BootstrapFewShot needs a metric: new BootstrapFewShot({ metric })');
    validateOptions(z.object(bootstrapOptionsShape), options, (m) => new OptimizerConfigError(m), 'new BootstrapFewShot({ … })');
  }

  protected async optimize<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    _valset: readonly ExampleLike[] | undefined,
  ): Promise<P> {
    const rng = new Rng(seedState(this.options.seed ?? 0));
    const { demos, used } = await this.bootstrap(program, trainset);
    const compiled = program.clone();
    const maxBoot = this.options.maxBootstrappedDemos ?? 4;
    const maxLabeled = this.options.maxLabeledDemos ?? 16;
    const unused = rng.shuffle(trainset.filter((_, i) => !used.has(i)));
    for (const [name, predictor] of compiled.namedPredictors()) {
      const boot = (demos.get(name) ?? []).slice(0, maxBoot);
      const labeled = unused.slice(0, Math.max(0, maxLabeled - boot.length)).map((e) => ({ ...exampleData(e) }));
      predictor.demos = [...boot, ...labeled];
    }
    setProgramMetadata(compiled, {
      optimizer: {
        name: this.name,
        options: scalarOptions(this.options),
        metricCalls: this.metricCalls,
        date: new Date().toISOString(),
      },
    });
    return compiled;
  }

  /**
   * The bootstrapping pass, reusable by other optimizers: demos per predictor name and which training examples
   * produced them. Stops once every predictor has `maxBootstrappedDemos`.
   */
  async bootstrap(
    student: AnyModule,
    trainset: readonly ExampleLike[],
  ): Promise<{ demos: BootstrappedDemos; used: Set<number> }> {
    const o = this.options;
    const maxBoot = o.maxBootstrappedDemos ?? 4;
    const teacher = o.teacher ? o.teacher.clone() : student.clone();
    const names = student.namedPredictors().map(([n]) => n);
    const demos: BootstrappedDemos = new Map(names.map((n) => [n, []]));
    const used = new Set<number>();
    let errors = 0;
    let attempted = 0;
    const failures: ExampleFailure[] = [];
    const full = () => names.every((n) => (demos.get(n)?.length ?? 0) >= maxBoot);
    const limit = pLimit(o.concurrency ?? 8);
    // Work in chunks so an early stop spends no calls on examples it will not use, while keeping trainset order.
    const chunk = o.concurrency ?? 8;
    const progress = optimizerProgress('Bootstrap', trainset.length, o.displayProgress ?? true);
    for (let start = 0; start < trainset.length && !full() && maxBoot > 0; start += chunk) {
      const slice = trainset.slice(start, start + chunk).map((example, offset) => ({ example, index: start + offset }));
      const outcomes = await Promise.all(
        slice.map(({ example, index }) => limit(() => this.tryExample(teacher, example, index))),
      );
      attempted += outcomes.length;
      const chunkFailures = outcomes.flatMap((outcome) => (outcome.failure ? [outcome.failure] : []));
      failures.push(...chunkFailures);
      // The first pass: user code failing on every example means a bug, not a hard task.
      if (start === 0) abortIfAllFailed(this.name, chunkFailures, outcomes.length, 'training examples');
      for (const outcome of outcomes) {
        if (outcome.failure) {
          errors++;
          if (errors > (o.maxErrors ?? 10)) {
            reportFailures(this.name, failures, attempted);
            throw new BootstrapError(
              `Bootstrapping failed on ${errors} examples (more than maxErrors=${o.maxErrors ?? 10}); last error: ${errorMessage(outcome.failure.error)}`,
              { cause: outcome.failure.error },
            );
          }
          continue;
        }
        if (!outcome.trace || full()) continue;
        used.add(outcome.index);
        for (const entry of outcome.trace) {
          const list = demos.get(entry.predictorName);
          if (list && list.length < maxBoot && !entry.error) list.push({ ...entry.inputs, ...entry.outputs });
        }
      }
    }
    progress.stop();
    reportFailures(this.name, failures, attempted);
    return { demos, used };
  }

  private async tryExample(
    teacher: AnyModule,
    example: ExampleLike,
    index: number,
  ): Promise<{ index: number; trace?: Trace; failure?: ExampleFailure }> {
    const rounds = Math.max(1, this.options.maxRounds ?? 1);
    let failure: ExampleFailure | undefined;
    for (let round = 0; round < rounds; round++) {
      // Later rounds: fresh samples (new rollout id, temperature 1), as DSPy does.
      const config =
        round === 0 ? currentSettings().config : { ...currentSettings().config, rolloutId: `bootstrap-${round}`, temperature: 1 };
      const run = await withSettings({ ...(config ? { config } : {}) }, () =>
        captureTraceSettled(() => (teacher as AnyModule & { call(i: unknown): Promise<unknown> }).call(exampleInputs(example))),
      );
      if (run.error !== undefined) {
        failure = { kind: classifyFailure(run.error, 'program'), error: run.error };
        continue;
      }
      try {
        this.metricCalls++;
        const result = normalizeMetricResult(
          await eraseMetric(this.options.metric)(exampleData(example), run.result, { trace: run.trace }),
        );
        failure = undefined;
        if (result.score >= (this.options.metricThreshold ?? 1)) return { index, trace: run.trace };
      } catch (error) {
        failure = { kind: classifyFailure(error, 'metric'), error };
      }
    }
    return failure ? { index, failure } : { index };
  }
}
