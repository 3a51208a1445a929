import { callWithCallbacks } from '../../../src/adapters/adapter.js';
import { resolveLM } from '../../../src/lm/registry.js';
import type { LanguageModel, Usage } from '../../../src/lm/types.js';
import { asProposer } from '../../../src/lm/usage-meter.js';
import { REFLECTION_CALLER } from '../usage.js';

/** The LM that reads traces and writes new texts: an LM object, its `provider/model` name, or a function. */
export type ReflectionLM = LanguageModel | string | ((prompt: string) => string | Promise<string>);

export interface ReflectionReply {
  text: string;
  /** USD, when the LM reported it. */
  cost?: number;
  /** Tokens, when the LM reported them. */
  usage?: Usage;
}

export type ReflectFn = (prompt: string) => Promise<ReflectionReply>;

/** Normalises the three accepted forms into one async function. */
export function toReflectFn(lm: ReflectionLM): ReflectFn {
  if (typeof lm === 'function') return async (prompt) => ({ text: await lm(prompt) });
  const model = resolveLM(lm);
  return async (prompt) => {
    // Counted as the optimizer's own LM work in usage totals.
    const response = await asProposer(() =>
      callWithCallbacks(model, { messages: [{ role: 'user', content: prompt }] }, REFLECTION_CALLER),
    );
    return {
      text: response.completions[0]?.text ?? '',
      ...(response.cost !== undefined ? { cost: response.cost } : {}),
      ...(response.usage ? { usage: response.usage } : {}),
    };
  };
}
