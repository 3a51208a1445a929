import { z } from 'zod';
import type { Prediction } from '../src/data/prediction.js';
import { type CallOptions, Module } from '../src/module/module.js';
import { Predict, type PredictOptions } from '../src/module/predict.js';
import { type InputsOf, type OutputsOf, type Signature, type SignatureLike, toSignature } from '../src/signature/signature.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type In<S> = InputsOf<S>;
type CoTOut<S> = Simplify<{ reasoning: string } & OutputsOf<S>>;

export interface ChainOfThoughtOptions<I, O> extends PredictOptions<I, O> {
  /** Description of the reasoning field shown to the LM. */
  rationaleDescription?: string;
}

/**
 * Predict with a `reasoning: string` output placed before the signature's own outputs, so the LM
 * thinks step by step first. The inner predictor is named `<name>.predict`, as in DSPy.
 */
export class ChainOfThought<S extends SignatureLike = Signature> extends Module<In<S>, Prediction<CoTOut<S>>> {
  predict: Predict<Signature<In<S>, CoTOut<S>>>;

  constructor(signature: S, options: ChainOfThoughtOptions<In<S>, CoTOut<S>> = {}) {
    super();
    const { rationaleDescription, ...predictOptions } = options;
    const base = toSignature(signature);
    const extended = base.prependOutput('reasoning', z.string(), {
      description: rationaleDescription ?? "Let's think step by step in order to produce the outputs.",
      prefix: 'Reasoning:',
    }) as unknown as Signature<In<S>, CoTOut<S>>;
    this.predict = new Predict<Signature<In<S>, CoTOut<S>>>(extended, predictOptions);
  }

  get signature(): Signature<In<S>, CoTOut<S>> {
    return this.predict.signature;
  }

  get instructions(): string {
    return this.predict.instructions;
  }

  set instructions(text: string) {
    this.predict.instructions = text;
  }

  forward(inputs: In<S>, options?: CallOptions): Promise<Prediction<CoTOut<S>>> {
    return this.predict.call(inputs, options);
  }
}
