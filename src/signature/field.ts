import type { z } from 'zod';

/** One input or output field of a signature. Fields are plain data plus a shared (never cloned) zod schema. */
export interface Field {
  readonly name: string;
  readonly schema: z.ZodType;
  readonly description?: string;
  readonly optional: boolean;
  /** Label shown in prompts, e.g. `Question:`; derived from the name unless given. */
  readonly prefix: string;
}

/**
 * Names a field may not take: they clash with the prompt protocol, with Prediction's own members, or with
 * `Object.prototype` (a field `toString` or `valueOf` would break `String(prediction)` and every template).
 */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  'completed',
  'completions',
  'usage',
  'toJSON',
  'get',
  'keys',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/** Why a reserved name is refused, for error messages. */
export function reservedNameMessage(name: string): string {
  const why = Object.hasOwn(Object.prototype, name)
    ? 'it is a member of every JavaScript object'
    : 'it is used by the prompt format or by Prediction';
  return `"${name}" is a reserved field name (${why}); choose another field name`;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

/** `question_text` / `questionText` → `Question Text:`; acronyms and numbers split as DSPy does (`isHTTPSecure2` → `Is HTTP Secure 2:`). */
export function defaultPrefix(name: string): string {
  const words = name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([a-zA-Z])(\d)/g, '$1_$2')
    .replace(/(\d)([a-zA-Z])/g, '$1_$2')
    .split('_')
    .filter(Boolean);
  const title = (w: string) => (w === w.toUpperCase() ? w : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
  return `${words.map(title).join(' ')}:`;
}

/** Strips optional/nullable/default wrappers, which carry no meaning for prompting or coercion. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) {
      current = def.innerType;
    } else {
      return current;
    }
  }
}

/** Reads a description through optional wrappers (`z.string().describe('x').optional()` keeps `x`). */
export function schemaDescription(schema: z.ZodType): string | undefined {
  return schema.description ?? unwrapSchema(schema).description;
}

export function isOptionalSchema(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

export function makeField(
  name: string,
  schema: z.ZodType,
  extra: { description?: string; prefix?: string; optional?: boolean } = {},
): Field {
  const description = extra.description ?? schemaDescription(schema);
  return {
    name,
    schema,
    optional: extra.optional ?? isOptionalSchema(schema),
    prefix: extra.prefix ?? defaultPrefix(name),
    ...(description === undefined ? {} : { description }),
  };
}
