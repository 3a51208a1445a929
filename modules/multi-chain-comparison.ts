import { z } from 'zod';
import { renderValue } from '../src/adapters/render.js';
import type { Prediction } from '../src/data/prediction.js';
import { TsdspyError } from '../src/errors/index.js';
import { type CallOptions, Module } from '../src/module/module.js';
import { Predict, type PredictOptions } from '../src/module/predict.js';
import { type InputsOf, type OutputsOf, type Signature, type SignatureLike, toSignature } from '../src/signature/signature.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type MCCOut<S> = Simplify<{ rationale: string } & OutputsOf<S>>;
/** The inputs plus the earlier attempts to compare (e.g. a ChainOfThought prediction's `completions`). */
type MCCIn<S> = InputsOf<S> & { completions: ReadonlyArray<Record<string, unknown>> };

/**
 * Compares M reasoning attempts at the same task and writes one holistic answer (DSPy's MultiChainComparison).
 * Each attempt is shown as its reasoning and its answer; the inner predictor is `<name>.predict`.
 */
export class MultiChainComparison<S extends SignatureLike = Signature> extends Module<MCCIn<S>, Prediction<MCCOut<S>>> {
  predict: Predict;
  readonly m: number;
  private readonly lastOutput: string;

  constructor(signature: S, options: { m?: number } & PredictOptions<Record<string, unknown>, Record<string, unknown>> = {}) {
    super();
    const { m = 3, ...predictOptions } = options;
    const base = toSignature(signature) as unknown as Signature;
    this.m = m;
    this.lastOutput = (base.outputFields.at(-1) as { name: string }).name;
    let extended = base;
    for (let i = 1; i <= m; i++) {
      extended = extended.appendInput(`reasoning_attempt_${i}`, z.string(), { prefix: `Student Attempt #${i}:` }) as Signature;
    }
    extended = extended.prependOutput('rationale', z.string().describe('Corrected reasoning after comparing the attempts'), {
      prefix: 'Accurate Reasoning: Thank you everyone. Let us now holistically',
    }) as Signature;
    this.predict = new Predict(extended, predictOptions);
  }

  forward(inputs: MCCIn<S>, options?: CallOptions): Promise<Prediction<MCCOut<S>>> {
    const { completions, ...rest } = inputs as { completions: ReadonlyArray<Record<string, unknown>> } & Record<string, unknown>;
    if (completions.length !== this.m) {
      throw new TsdspyError(`MultiChainComparison expects ${this.m} attempts, got ${completions.length}`);
    }
    const attempts: Record<string, string> = {};
    completions.forEach((c, i) => {
      const reasoning = String(c.reasoning ?? c.rationale ?? '')
        .trim()
        .replace(/\n+/g, ' ');
      attempts[`reasoning_attempt_${i + 1}`] =
        `«I'm trying to ${reasoning} I'm not sure but my prediction is ${renderValue(c[this.lastOutput])}»`;
    });
    return this.predict.call({ ...rest, ...attempts }, options) as Promise<Prediction<MCCOut<S>>>;
  }
}
