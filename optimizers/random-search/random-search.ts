import { z } from 'zod';
import type { AnyModule } from '../../src/module/module.js';
import { setProgramMetadata } from '../../src/module/state.js';
import { validateOptions } from '../../src/options/validate.js';
import { BootstrapFewShot, type BootstrapFewShotOptions, bootstrapOptionsShape } from '../few-shot/bootstrap-few-shot.js';
import { LabeledFewShot } from '../few-shot/labeled-few-shot.js';
import { Rng, seedState } from '../gepa/rng.js';
import { BaseOptimizer, type ExampleLike, OptimizerConfigError } from '../optimizer.js';
import { optimizerProgress } from '../progress.js';
import { type DefaultExample, type DefaultPrediction, eraseMetric, scalarOptions, scoreProgram } from '../shared.js';

export interface RandomSearchOptions<E = DefaultExample, P = DefaultPrediction> extends BootstrapFewShotOptions<E, P> {
  /** Shuffled bootstrap candidates, besides the zero-shot, labeled-only and unshuffled ones (default 8). */
  numCandidatePrograms?: number;
  /** Stop early once a candidate reaches this valset score (0–1). */
  stopAtScore?: number;
}

export interface RandomSearchCandidate<P> {
  /** `zero-shot`, `labeled`, `bootstrap`, or `bootstrap-shuffled-<i>`. */
  label: string;
  score: number;
  program: P;
}

/**
 * BootstrapFewShotWithRandomSearch: builds candidate programs — zero-shot, labeled demos only, unshuffled bootstrap,
 * and shuffled bootstraps with random demo counts — scores each on the valset, and returns the best. All scores are
 * reported on `optimizer.candidates`.
 */
export class BootstrapFewShotWithRandomSearch<E = DefaultExample, P = DefaultPrediction> extends BaseOptimizer {
  readonly name = 'BootstrapFewShotWithRandomSearch';
  /** Every candidate of the last compile with its valset score, in the order tried. */
  candidates: RandomSearchCandidate<AnyModule>[] = [];

  constructor(readonly options: RandomSearchOptions<E, P>) {
    super();
    if (typeof options?.metric !== 'function') throw new OptimizerConfigError(`${this.name} needs a metric`);
    validateOptions(
      z.object({
        ...bootstrapOptionsShape,
        numCandidatePrograms: z.number().int().nonnegative().optional(),
        stopAtScore: z.number().optional(),
      }),
      options,
      (m) => new OptimizerConfigError(m),
      `new ${this.name}({ … })`,
    );
  }

  protected async optimize<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    given: readonly ExampleLike[] | undefined,
  ): Promise<P> {
    const valset = given ?? trainset;
    const o = this.options;
    const rng = new Rng(seedState(o.seed ?? 0));
    const concurrency = o.concurrency ?? 8;
    this.candidates = [];
    const maxBoot = o.maxBootstrappedDemos ?? 4;
    const plans: Array<{ label: string; build: () => Promise<P> }> = [
      { label: 'zero-shot', build: async () => program.resetCopy() },
      {
        label: 'labeled',
        build: () => new LabeledFewShot({ k: o.maxLabeledDemos ?? 16, seed: o.seed ?? 0 }).compile(program.resetCopy(), trainset),
      },
      { label: 'bootstrap', build: () => this.bootstrap(program, trainset, maxBoot, o.seed ?? 0) },
    ];
    for (let i = 0; i < (o.numCandidatePrograms ?? 8); i++) {
      const shuffled = rng.shuffle(trainset);
      const size = 1 + rng.int(Math.max(1, maxBoot));
      const seed = rng.int(2 ** 31);
      plans.push({ label: `bootstrap-shuffled-${i}`, build: () => this.bootstrap(program, shuffled, size, seed) });
    }
    let best: RandomSearchCandidate<P> | undefined;
    const progress = optimizerProgress('Random search', plans.length, o.displayProgress ?? true);
    for (const [i, plan] of plans.entries()) {
      const candidate = await plan.build();
      // The zero-shot baseline comes first: user code failing on all of it aborts before any bootstrapping.
      const { score, metricCalls } = await scoreProgram(candidate, valset, eraseMetric(o.metric), concurrency, {
        label: `${this.name} (${plan.label})`,
        ...(i === 0 ? { abortAs: this.name } : {}),
      });
      this.metricCalls += metricCalls;
      const entry = { label: plan.label, score, program: candidate };
      this.candidates.push(entry);
      if (!best || score > best.score) best = entry;
      progress.tick(1, `best ${(best.score * 100).toFixed(1)}%`);
      if (o.stopAtScore !== undefined && score >= o.stopAtScore) break;
    }
    progress.stop();
    const winner = (best as RandomSearchCandidate<P>).program.clone();
    setProgramMetadata(winner, {
      optimizer: {
        name: this.name,
        options: scalarOptions(o),
        bestScore: best?.score,
        bestCandidate: best?.label,
        scores: this.candidates.map((c) => ({ label: c.label, score: c.score })),
        metricCalls: this.metricCalls,
        date: new Date().toISOString(),
      },
    });
    return winner;
  }

  private async bootstrap<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    maxBootstrappedDemos: number,
    seed: number,
  ): Promise<P> {
    const { numCandidatePrograms: _n, stopAtScore: _s, ...bootstrapOptions } = this.options;
    const inner = new BootstrapFewShot({ ...bootstrapOptions, maxBootstrappedDemos, seed, displayProgress: false });
    const compiled = await inner.compile(program.resetCopy(), trainset);
    this.metricCalls += inner.metricCalls;
    return compiled;
  }
}
