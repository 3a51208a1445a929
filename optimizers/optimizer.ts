import { assertInputKeys, type Example } from '../src/data/example.js';

export { exampleInputs } from '../src/data/example.js';

import { TsdspyError } from '../src/errors/index.js';
import { emptyUsage, meterUsage, type RunUsage } from '../src/lm/usage-meter.js';
import type { AnyModule } from '../src/module/module.js';
import { programMetadataOf, setProgramMetadata } from '../src/module/state.js';
import { inSpan } from '../src/telemetry/otel.js';

/** A training or validation example: an `Example` (its `inputs()` go to the program) or a plain record. */
export type ExampleLike = Example<object> | Record<string, unknown>;

export interface CompileOptions {
  trainset: readonly ExampleLike[];
  valset?: readonly ExampleLike[];
}

/**
 * What every optimizer implements: `compile` returns an optimized copy of the program and never mutates it.
 * Swapping optimizers is a one-line change.
 */
export interface Optimizer {
  readonly name: string;
  compile<P extends AnyModule>(program: P, trainset: readonly ExampleLike[], valset?: readonly ExampleLike[]): Promise<P>;
  compile<P extends AnyModule>(program: P, options: CompileOptions): Promise<P>;
}

/** Options given to an optimizer that cannot work (e.g. a missing metric). */
export class OptimizerConfigError extends TsdspyError {}

/** Normalises the two `compile` call forms. */
export function compileArgs(
  trainsetOrOptions: readonly ExampleLike[] | CompileOptions,
  valset?: readonly ExampleLike[],
): { trainset: readonly ExampleLike[]; valset: readonly ExampleLike[] | undefined } {
  if (Array.isArray(trainsetOrOptions)) return { trainset: trainsetOrOptions, valset };
  const options = trainsetOrOptions as CompileOptions;
  if (!options || !Array.isArray(options.trainset))
    throw new OptimizerConfigError(
      'compile needs a trainset: compile(program, trainset, valset) or compile(program, { trainset, valset })',
    );
  return { trainset: options.trainset, valset: options.valset };
}

/**
 * Shared plumbing for optimizers: both `compile` call forms, and a metric-call counter reset per compile.
 * Subclasses implement `optimize`, which must return a new program and leave the input untouched.
 */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly name: string;
  /** Metric calls the last compile spent. */
  metricCalls = 0;
  /** LM usage of the last compile: the program's calls (`task`) and the optimizer's own (`proposer`). */
  usage: RunUsage = emptyUsage();

  compile<P extends AnyModule>(program: P, trainset: readonly ExampleLike[], valset?: readonly ExampleLike[]): Promise<P>;
  compile<P extends AnyModule>(program: P, options: CompileOptions): Promise<P>;
  async compile<P extends AnyModule>(
    program: P,
    trainsetOrOptions: readonly ExampleLike[] | CompileOptions,
    maybeValset?: readonly ExampleLike[],
  ): Promise<P> {
    const { trainset, valset } = compileArgs(trainsetOrOptions, maybeValset);
    assertInputKeys(trainset, `${this.name}.compile (trainset)`);
    if (valset) assertInputKeys(valset, `${this.name}.compile (valset)`);
    this.metricCalls = 0;
    this.usage = emptyUsage();
    const attributes = { 'tsdspy.optimizer.name': this.name, 'tsdspy.optimizer.train_size': trainset.length };
    return inSpan(`tsdspy.optimizer ${this.name}`, { attributes }, async (span) => {
      const optimized = await meterUsage(this.usage, () => this.optimize(program, trainset, valset));
      span?.setAttribute('tsdspy.optimizer.metric_calls', this.metricCalls);
      const optimizer = programMetadataOf(optimized)?.optimizer;
      if (optimizer && typeof optimizer === 'object')
        setProgramMetadata(optimized, { optimizer: { ...optimizer, usage: this.usage } });
      return optimized;
    });
  }

  protected abstract optimize<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    valset: readonly ExampleLike[] | undefined,
  ): Promise<P>;
}
