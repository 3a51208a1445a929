import { z } from 'zod';
import { exampleData } from '../../src/data/example.js';
import type { AnyModule } from '../../src/module/module.js';
import { setProgramMetadata } from '../../src/module/state.js';
import { validateOptions } from '../../src/options/validate.js';
import { Rng, seedState } from '../gepa/rng.js';
import { BaseOptimizer, type ExampleLike, OptimizerConfigError } from '../optimizer.js';

export interface LabeledFewShotOptions {
  /** Demos per predictor (default 16). */
  k?: number;
  /** Sample randomly (default) or take the first k. */
  sample?: boolean;
  seed?: number;
}

/** Gives every predictor up to `k` training examples as demos. No LM calls, no metric. */
export class LabeledFewShot extends BaseOptimizer {
  readonly name = 'LabeledFewShot';

  constructor(readonly options: LabeledFewShotOptions = {}) {
    super();
    validateOptions(
      z.object({
        k: z.number().int().nonnegative().optional(),
        sample: z.boolean().optional(),
        seed: z.number().int().optional(),
      }),
      options,
      (m) => new OptimizerConfigError(m),
      'new LabeledFewShot({ … })',
    );
  }

  protected async optimize<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    _valset: readonly ExampleLike[] | undefined,
  ): Promise<P> {
    const compiled = program.clone();
    const demos = labeledDemos(
      trainset,
      this.options.k ?? 16,
      this.options.sample ?? true,
      new Rng(seedState(this.options.seed ?? 0)),
    );
    for (const predictor of compiled.predictors()) predictor.demos = demos.map((d) => ({ ...d }));
    setProgramMetadata(compiled, {
      optimizer: { name: this.name, options: { ...this.options }, date: new Date().toISOString() },
    });
    return compiled;
  }
}

/** Up to `k` examples' data, sampled without replacement (or the first k). */
export function labeledDemos(trainset: readonly ExampleLike[], k: number, sample: boolean, rng: Rng): Record<string, unknown>[] {
  const chosen = sample ? rng.sample(trainset, k) : trainset.slice(0, k);
  return chosen.map((e) => ({ ...exampleData(e) }));
}
