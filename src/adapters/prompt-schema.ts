import { z } from 'zod';
import { unwrapSchema } from '../signature/field.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The JSON schema of a field's value as shown to the LM: zod's schema without the noise an LM does not need
 * (`$schema`, `additionalProperties: false`, string `propertyNames`, the safe-integer bounds of `z.int()`), with
 * `type` first in every object (DSPy does the same for readability).
 */
export function promptJsonSchema(schema: z.ZodType): Json {
  const raw = z.toJSONSchema(unwrapSchema(schema), { unrepresentable: 'any' }) as Json;
  return tidy(raw);
}

function tidy(node: Json): Json {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  const keys = Object.keys(node).sort((a, b) => (a === 'type' ? -1 : b === 'type' ? 1 : 0));
  for (const key of keys) {
    const value = node[key] as Json;
    if (key === '$schema') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'propertyNames' && isStringType(value)) continue;
    if ((key === 'minimum' && value === -SAFE) || (key === 'maximum' && value === SAFE)) continue;
    out[key] = tidy(value);
  }
  return out;
}

function isStringType(value: Json): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    value.type === 'string' &&
    Object.keys(value).length === 1
  );
}

/** JSON with Python's `json.dumps` spacing (`, ` and `: `), which is what DSPy shows LMs. */
export function pythonStyleJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(pythonStyleJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonStyleJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

const CONSTRAINT_WORDS: Array<[string, string]> = [
  ['exclusiveMinimum', 'greater than'],
  ['minimum', 'greater than or equal to'],
  ['exclusiveMaximum', 'less than'],
  ['maximum', 'less than or equal to'],
  ['minLength', 'minimum length'],
  ['maxLength', 'maximum length'],
  ['minItems', 'minimum length'],
  ['maxItems', 'maximum length'],
  ['multipleOf', 'a multiple of the given number'],
  ['pattern', 'matching the pattern'],
];

/**
 * The field's own value constraints (`.min()`, `.gt()`, `.multipleOf()`, `.regex()`…) in DSPy's words, e.g.
 * `minimum length: 5, less than: 10`; undefined when it has none.
 */
export function fieldConstraints(schema: z.ZodType): string | undefined {
  const json = promptJsonSchema(schema);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const parts: string[] = [];
  for (const [key, words] of CONSTRAINT_WORDS) {
    const value = json[key];
    if (value !== undefined && typeof value !== 'object') parts.push(`${words}: ${String(value)}`);
  }
  return parts.length ? parts.join(', ') : undefined;
}
