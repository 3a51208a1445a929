import pLimit from 'p-limit';
import { TsdspyError } from '../src/errors/index.js';
import type { CallOptions, Module } from '../src/module/module.js';

export interface ParallelOptions {
  /** How many calls run at once (default 8). */
  concurrency?: number;
  /** For `settle`: stop starting new calls once this many have failed, and throw ParallelAbortedError. */
  maxErrors?: number;
}

/** Too many calls in a `Parallel.settle` batch failed. */
export class ParallelAbortedError extends TsdspyError {
  constructor(
    readonly errors: readonly unknown[],
    readonly completed: number,
  ) {
    super(
      `Parallel batch stopped after ${errors.length} errors (${completed} calls completed). First error: ${String(errors[0])}`,
    );
  }
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs modules over many inputs with bounded concurrency; results come back in input order.
 * Error policy by method: `map` / `run` fail fast (no new calls start after an error, which is then thrown);
 * `settle` collects every outcome, up to `maxErrors` failures.
 */
export class Parallel {
  readonly concurrency: number;
  readonly maxErrors: number;

  constructor(options: ParallelOptions = {}) {
    this.concurrency = options.concurrency ?? 8;
    this.maxErrors = options.maxErrors ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new TsdspyError('Parallel concurrency must be a positive integer');
  }

  /** One module over many inputs; throws the first error. */
  map<I, O>(module: Module<I, O>, inputs: readonly I[], options?: CallOptions): Promise<O[]> {
    return this.run(
      inputs.map((input) => [module, input] as [Module<I, O>, I]),
      options,
    );
  }

  /** `[module, inputs]` pairs (the modules may differ); throws the first error. */
  async run<I, O>(pairs: ReadonlyArray<readonly [Module<I, O>, I]>, options?: CallOptions): Promise<O[]> {
    const settled = await this.execute(pairs, options, 1);
    const failed = settled.find((s) => !s.ok);
    if (failed && !failed.ok) throw failed.error;
    return settled.map((s) => (s as { value: O }).value);
  }

  /** Every outcome in input order; throws ParallelAbortedError only when `maxErrors` calls failed. */
  async settle<I, O>(module: Module<I, O>, inputs: readonly I[], options?: CallOptions): Promise<Settled<O>[]> {
    const settled = await this.execute(
      inputs.map((input) => [module, input] as [Module<I, O>, I]),
      options,
      this.maxErrors,
    );
    const errors = settled.flatMap((s) => (s.ok ? [] : [s.error]));
    if (errors.length >= this.maxErrors) throw new ParallelAbortedError(errors, settled.length - errors.length);
    return settled;
  }

  private async execute<I, O>(
    pairs: ReadonlyArray<readonly [Module<I, O>, I]>,
    options: CallOptions | undefined,
    errorBudget: number,
  ): Promise<Settled<O>[]> {
    const limit = pLimit(this.concurrency);
    let errors = 0;
    const skipped = new TsdspyError('not run: the batch stopped after errors');
    const settled = await Promise.all(
      pairs.map(([module, input]) =>
        limit(async (): Promise<Settled<O> | undefined> => {
          if (errors >= errorBudget) return undefined;
          try {
            return { ok: true, value: await module.call(input, options) };
          } catch (error) {
            errors++;
            return { ok: false, error };
          }
        }),
      ),
    );
    return settled.map((s) => s ?? { ok: false, error: skipped });
  }
}
