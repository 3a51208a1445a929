import { callWithCallbacks } from '../../../src/adapters/adapter.js';
import { resolveLM } from '../../../src/lm/registry.js';
import type { LanguageModel } from '../../../src/lm/types.js';
import { REFLECTION_CALLER } from '../usage.js';

/** The LM that reads traces and writes new texts: an LM object, its `provider/model` name, or a function. */
export type ReflectionLM = LanguageModel | string | ((prompt: string) => string | Promise<string>);

export interface ReflectionReply {
  text: string;
  /** USD, when the LM reported it. */
  cost: number;
}

export type ReflectFn = (prompt: string) => Promise<ReflectionReply>;

/** Normalises the three accepted forms into one async function. */
export function toReflectFn(lm: ReflectionLM): ReflectFn {
  if (typeof lm === 'function') return async (prompt) => ({ text: await lm(prompt), cost: 0 });
  const model = resolveLM(lm);
  return async (prompt) => {
    const response = await callWithCallbacks(model, { messages: [{ role: 'user', content: prompt }] }, REFLECTION_CALLER);
    return { text: response.completions[0]?.text ?? '', cost: response.cost ?? 0 };
  };
}
