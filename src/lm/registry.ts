import { LM } from './lm.js';
import './providers/index.js';
import type { LanguageModel } from './types.js';

/** Resolves `'provider/model'` to an `LM` through the provider registry. */
export function lmFromString(name: string): LanguageModel {
  return new LM(name);
}

/** Accepts an LM object or its `provider/model` name. */
export function resolveLM(lm: LanguageModel | string): LanguageModel {
  return typeof lm === 'string' ? lmFromString(lm) : lm;
}
