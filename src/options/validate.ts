import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';

/** A schema for an option that must be a function (zod's own function schemas do not validate plain values). */
export const zFunction = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');

/** Any object value (an LM, a program, a callback object, …): checked for presence, not for shape. */
export const zObject = z.custom<object>((v) => typeof v === 'object' && v !== null, 'expected an object');

/** The valid key nearest to `key`, when it is close enough to be a likely typo. */
export function suggestKey(key: string, valid: readonly string[]): string | undefined {
  if (valid.length === 0) return undefined;
  const lower = key.toLowerCase();
  const exactCase = valid.find((v) => v.toLowerCase() === lower);
  if (exactCase) return exactCase;
  const best = closest(key, [...valid]);
  const limit = Math.max(2, Math.floor(key.length / 3));
  return distance(key, best) <= limit ? best : undefined;
}

/**
 * Validates an options object at a public boundary: unknown keys are refused with the nearest valid name
 * suggested (`unknown option "reflectionMinibatchSze" (did you mean "reflectionMinibatchSize"?)`), then values
 * are checked against the schema. `fail` builds the named error to throw (e.g. `GEPAConfigError`).
 */
export function validateOptions<S extends z.ZodObject>(
  schema: S,
  options: unknown,
  fail: (message: string) => Error,
  where: string,
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw fail(`${where}: options must be an object, not ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const valid = Object.keys(schema.shape);
  const unknown = Object.keys(options).filter((key) => !valid.includes(key));
  if (unknown.length > 0) {
    const described = unknown.map((key) => {
      const suggestion = suggestKey(key, valid);
      return `unknown option "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    });
    throw fail(`${described.join('; ')} in ${where}. Valid options: ${valid.join(', ')}.`);
  }
  // Keys present with the value undefined are treated as absent, as TypeScript's optional properties allow.
  const present = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const checked = schema.safeParse(present);
  if (!checked.success) throw fail(`${where}: invalid options:\n${z.prettifyError(checked.error)}`);
}
