import type { Usage } from './types.js';

/**
 * Prices in USD per million tokens, from the providers' public price lists (checked 2026-11). Matched by model
 * name prefix, longest first. A model not listed has an unknown cost (reported as `undefined`, never 0);
 * local providers (Ollama) cost 0. Add or correct entries with `setModelPrice`.
 */
const PRICES: Record<string, { input: number; output: number; cachedInput?: number }> = {
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'claude-opus-4': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4': { input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
};

export function setModelPrice(modelPrefix: string, price: { input: number; output: number; cachedInput?: number }): void {
  PRICES[modelPrefix] = price;
}

/** Cost of one call in USD, or undefined when the model's price is unknown. */
export function costOf(model: string, usage: Usage): number | undefined {
  const key = Object.keys(PRICES)
    .filter((prefix) => model.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  if (!key) return undefined;
  const price = PRICES[key] as { input: number; output: number; cachedInput?: number };
  const cached = usage.cachedTokens ?? 0;
  const fresh = usage.inputTokens - cached;
  return (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / 1_000_000;
}
