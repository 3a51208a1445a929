import { TsdspyError } from '../src/errors/index.js';
import { type CallOptions, Module } from '../src/module/module.js';
import { currentSettings, withSettings } from '../src/settings/settings.js';

/** Scores one attempt: higher is better; an attempt reaching `threshold` ends the search. */
export type RewardFn<I, O> = (inputs: I, prediction: O) => number | Promise<number>;

export interface BestOfNOptions<I, O> {
  n: number;
  rewardFn: RewardFn<I, O>;
  threshold: number;
  /** How many attempts may throw before the error is raised (default: all but one). */
  failCount?: number;
}

/** Every attempt of a BestOfN / Refine call failed. */
export class AllAttemptsFailedError extends TsdspyError {}

/** Runs one attempt under its own rollout id and temperature 1, so attempts are distinct samples (and distinct cache keys). */
export function runAttempt<I, O>(module: Module<I, O>, inputs: I, attempt: number, options?: CallOptions): Promise<O> {
  const config = { ...currentSettings().config, rolloutId: attempt, temperature: 1 };
  return withSettings({ config }, () => module.call(inputs, options));
}

/** What BestOfN and Refine share: the inner module, the attempt budget and the reward. */
export abstract class AttemptingModule<I, O> extends Module<I, O> {
  module: Module<I, O>;
  readonly n: number;
  readonly threshold: number;
  protected readonly rewardFn: RewardFn<I, O>;
  protected readonly failCount: number;

  constructor(module: Module<I, O>, options: BestOfNOptions<I, O>) {
    super();
    if (!Number.isInteger(options.n) || options.n < 1) throw new TsdspyError(`${new.target.name} needs n ≥ 1`);
    this.module = module;
    this.n = options.n;
    this.threshold = options.threshold;
    this.rewardFn = options.rewardFn;
    this.failCount = options.failCount ?? options.n - 1;
  }

  /** Records a failed attempt, rethrowing once more attempts failed than `failCount` allows. */
  protected recordFailure(errors: unknown[], error: unknown): void {
    errors.push(error);
    if (errors.length > this.failCount) throw error;
  }

  protected bestOrThrow(best: { prediction: O } | undefined, errors: readonly unknown[]): O {
    if (!best)
      throw new AllAttemptsFailedError(`All ${this.n} attempts failed; last error: ${String(errors.at(-1))}`, {
        cause: errors.at(-1),
      });
    return best.prediction;
  }
}

/**
 * Runs a module up to `n` times and returns the first prediction whose reward reaches `threshold`,
 * or else the one with the highest reward.
 */
export class BestOfN<I, O> extends AttemptingModule<I, O> {
  async forward(inputs: I, options?: CallOptions): Promise<O> {
    let best: { prediction: O; reward: number } | undefined;
    const errors: unknown[] = [];
    for (let attempt = 0; attempt < this.n; attempt++) {
      try {
        const prediction = await runAttempt(this.module, inputs, attempt, options);
        const reward = await this.rewardFn(inputs, prediction);
        if (!best || reward > best.reward) best = { prediction, reward };
        if (reward >= this.threshold) break;
      } catch (error) {
        this.recordFailure(errors, error);
      }
    }
    return this.bestOrThrow(best, errors);
  }
}
