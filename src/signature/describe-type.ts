import type { z } from 'zod';
import { unwrapSchema } from './field.js';

/** The kind of value a field holds, as far as prompting and reply coercion care. */
export type ValueKind = 'string' | 'number' | 'int' | 'boolean' | 'array' | 'enum' | 'object' | 'unknown';

export function valueKind(schema: z.ZodType): ValueKind {
  const inner = unwrapSchema(schema);
  const def = inner.def as { type: string };
  switch (def.type) {
    case 'string':
      return 'string';
    case 'number':
      return isIntSchema(inner) ? 'int' : 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'array';
    case 'enum':
    case 'literal':
      return 'enum';
    case 'union':
      return enumValues(inner) ? 'enum' : 'unknown';
    case 'object':
    case 'record':
      return 'object';
    default:
      return 'unknown';
  }
}

function isIntSchema(schema: z.ZodType): boolean {
  const format = (schema as { format?: string | null }).format;
  return format === 'safeint' || format === 'int32' || format === 'int64' || format === 'uint32';
}

/** The allowed values of an enum, literal, or union of literals; undefined for anything else. */
export function enumValues(schema: z.ZodType): readonly (string | number | boolean)[] | undefined {
  const inner = unwrapSchema(schema);
  const def = inner.def as {
    type: string;
    entries?: Record<string, string | number>;
    values?: readonly (string | number | boolean)[];
    options?: readonly z.ZodType[];
  };
  if (def.type === 'enum' && def.entries) return Object.values(def.entries);
  if (def.type === 'literal' && def.values) return def.values;
  if (def.type === 'union' && def.options) {
    const all: (string | number | boolean)[] = [];
    for (const option of def.options) {
      const values = enumValues(option);
      if (!values) return undefined;
      all.push(...values);
    }
    return all;
  }
  return undefined;
}

export function arrayElement(schema: z.ZodType): z.ZodType | undefined {
  const def = unwrapSchema(schema).def as { type: string; element?: z.ZodType };
  return def.type === 'array' ? def.element : undefined;
}

/** A short type name for prompts, e.g. `int`, `list[string]`, `one of: 'a', 'b'`. */
export function typeLabel(schema: z.ZodType): string {
  const kind = valueKind(schema);
  if (kind === 'array') {
    const element = arrayElement(schema);
    return `list[${element ? typeLabel(element) : 'unknown'}]`;
  }
  if (kind === 'enum') {
    return `one of: ${(enumValues(schema) ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (kind === 'unknown') return 'json';
  return kind;
}
