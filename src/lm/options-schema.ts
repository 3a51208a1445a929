import { z } from 'zod';
import { TsdspyError } from '../errors/index.js';
import { validateOptions } from '../options/validate.js';

/** `new LM(model, options)` got options that cannot work (an unknown key, a wrong type). */
export class LMConfigError extends TsdspyError {}

/**
 * Every key `LMOptions` allows, checked at runtime so a typo is refused with the nearest name suggested.
 * Keep in step with `LMOptions` (and LMCallConfig) when adding an option.
 */
export const lmOptionsSchema = z.object({
  temperature: z.number().nonnegative().optional(),
  maxTokens: z.number().int().positive().optional(),
  n: z.number().int().positive().optional(),
  stop: z.array(z.string()).optional(),
  topP: z.number().optional(),
  seed: z.number().int().optional(),
  logprobs: z.boolean().optional(),
  topLogprobs: z.number().int().nonnegative().optional(),
  reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  rolloutId: z.union([z.number(), z.string()]).optional(),
  timeoutMs: z.number().positive().optional(),
  apiKey: z.string().optional(),
  baseURL: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  numRetries: z.number().int().nonnegative().optional(),
  retryBaseMs: z.number().nonnegative().optional(),
  maxConcurrency: z.number().int().positive().optional(),
  cache: z.boolean().optional(),
  cacheDir: z.string().nullable().optional(),
  historySize: z.number().int().nonnegative().optional(),
  historyMaxBytes: z.number().int().positive().optional(),
  cacheMaxBytes: z.number().int().positive().optional(),
});

export function validateLMOptions(model: string, options: unknown): void {
  validateOptions(lmOptionsSchema, options, (m) => new LMConfigError(m), `new LM(${JSON.stringify(model)}, { … })`);
}
