import { inspect } from 'node:util';
import type { Usage } from '../lm/types.js';

export interface PredictionMeta<O> {
  /** Every candidate when the LM was asked for `n > 1` completions (the first is the prediction itself). */
  readonly completions: readonly O[];
  /** Token usage of the call(s) behind this prediction, when the LM reported it. */
  readonly usage?: Usage;
  /** The plain output fields, without metadata. */
  toJSON(): O;
}

/** A predictor's typed outputs as properties, plus metadata. */
export type Prediction<O extends object = Record<string, unknown>> = O & PredictionMeta<O>;

class PredictionImpl<O extends object> implements PredictionMeta<O> {
  declare readonly completions: readonly O[];
  declare readonly usage?: Usage;

  constructor(outputs: O, completions: readonly O[], usage?: Usage) {
    Object.assign(this, outputs);
    // Metadata is non-enumerable so spreading or iterating a prediction yields only its fields.
    Object.defineProperty(this, 'completions', { value: completions, enumerable: false });
    if (usage) Object.defineProperty(this, 'usage', { value: usage, enumerable: false });
  }

  toJSON(): O {
    return { ...this } as unknown as O;
  }

  /** `console.log(prediction)` shows `Prediction { answer: '…' }`. */
  [inspect.custom](depth: number, options: object, show: typeof inspect): string {
    return `Prediction ${show({ ...this }, { ...options, depth })}`;
  }
}

/** Builds a prediction from its first completion's fields, all completions, and usage. */
export function makePrediction<O extends object>(
  outputs: O,
  completions: readonly O[] = [outputs],
  usage?: Usage,
): Prediction<O> {
  return new PredictionImpl(outputs, completions, usage) as unknown as Prediction<O>;
}

export function isPrediction(value: unknown): value is Prediction {
  return value instanceof PredictionImpl;
}
