import { inspect } from 'node:util';
import type { Usage } from '../lm/types.js';

/** Every completion, also readable per field as in DSPy: `completions.answer` is the list of every `answer`. */
export type Completions<O> = readonly O[] & { readonly [K in keyof O]: O[K][] };

export interface PredictionMeta<O> {
  /** Every candidate when the LM was asked for `n > 1` completions (the first is the prediction itself). */
  readonly completions: Completions<O>;
  /** Token usage of the call(s) behind this prediction, when the LM reported it. */
  readonly usage?: Usage;
  /** The plain output fields, without metadata. */
  toJSON(): O;
}

/** A predictor's typed outputs as properties, plus metadata. */
export type Prediction<O extends object = Record<string, unknown>> = O & PredictionMeta<O>;

class PredictionImpl<O extends object> implements PredictionMeta<O> {
  declare readonly completions: Completions<O>;
  declare readonly usage?: Usage;

  constructor(outputs: O, completions: readonly O[], usage?: Usage) {
    Object.assign(this, outputs);
    // Metadata is non-enumerable so spreading or iterating a prediction yields only its fields.
    Object.defineProperty(this, 'completions', { value: withFieldAccess(completions, outputs), enumerable: false });
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

/** A copy of the completions list with a getter per output field (`list.answer` → every completion's answer). */
function withFieldAccess<O extends object>(completions: readonly O[], outputs: O): Completions<O> {
  const list = [...completions];
  for (const key of Object.keys(outputs)) {
    if (key in list) continue; // never shadow Array members such as `length` or `map`
    Object.defineProperty(list, key, {
      get: () => list.map((c) => (c as Record<string, unknown>)[key]),
      enumerable: false,
    });
  }
  return Object.freeze(list) as unknown as Completions<O>;
}
