import type { z } from 'zod';
import { parseJsonLenient } from '../lm/lenient-json.js';
import { arrayElement, enumValues, valueKind } from '../signature/describe-type.js';
import type { Field } from '../signature/field.js';
import type { InvalidField } from './errors.js';

/**
 * Turns the text an LM wrote for a field into a value of the field's type, leniently:
 * `"$1,234"` → 1234, `Yes` → true, `'positive'` → `positive`, JSON (also inside a code fence) for lists and objects.
 * Returns the value as is when it cannot be read; zod validation then reports the problem.
 */
export function coerceText(schema: z.ZodType, text: string): unknown {
  const trimmed = text.trim();
  switch (valueKind(schema)) {
    case 'string':
      return trimmed;
    case 'number':
    case 'int':
      return toNumber(trimmed);
    case 'boolean':
      return toBoolean(trimmed);
    case 'enum':
      return toEnum(schema, trimmed);
    case 'array':
      return toArray(schema, trimmed);
    default:
      return parseJsonLoose(trimmed) ?? trimmed;
  }
}

/** Brings an already-parsed JSON value to the field's type (e.g. `"42"` for a number field, `42` for a string field). */
export function coerceValue(schema: z.ZodType, value: unknown): unknown {
  const kind = valueKind(schema);
  if (typeof value === 'string' && kind !== 'string') return coerceText(schema, value);
  if (kind === 'string' && value !== null && typeof value !== 'string') {
    // DSPy's parse_value(x, str) is str(x): a number or a JSON value written for a string field is kept as text.
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  if (Array.isArray(value)) {
    const element = arrayElement(schema);
    if (element) return value.map((v) => coerceValue(element, v));
  }
  return value;
}

/** Validates a value against a field's schema; returns the parsed value or an InvalidField. */
export function validateField(field: Field, value: unknown, text: string): { value: unknown } | { invalid: InvalidField } {
  const result = field.schema.safeParse(value);
  if (result.success) return { value: result.data };
  const message = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  return { invalid: { field: field.name, text, message } };
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function toNumber(text: string): unknown {
  const cleaned = text
    .replace(/(\d)_(?=\d)/g, '$1')
    .replace(/^[*_`]+|[*_`]+$/g, '')
    .replace(/[$€£,\s]/g, '')
    .replace(/\.$/, '')
    .replace(/%$/, '');
  return NUMBER.test(cleaned) ? Number(cleaned) : text;
}

function toBoolean(text: string): unknown {
  const word = text
    .toLowerCase()
    .replace(/[.!`*"']/g, '')
    .trim();
  if (word === 'true' || word === 'yes') return true;
  if (word === 'false' || word === 'no') return false;
  return text;
}

function toEnum(schema: z.ZodType, text: string): unknown {
  const values = enumValues(schema) ?? [];
  // `Literal[option1]` / `str[option1]`: LMs sometimes echo the type spelling DSPy shows them.
  const unwrapped = /^(?:Literal|str)\[(.*)\]$/s.exec(text.trim())?.[1] ?? text;
  const bare = unwrapped.replace(/^["'`*]+|["'`*.]+$/g, '').trim();
  const exact = values.find((v) => String(v) === bare);
  if (exact !== undefined) return exact;
  return values.find((v) => String(v).toLowerCase() === bare.toLowerCase()) ?? bare;
}

function toArray(schema: z.ZodType, text: string): unknown {
  const element = arrayElement(schema);
  const parsed = parseJsonLoose(text);
  const items = Array.isArray(parsed) ? parsed : bulletItems(text);
  if (!items) return parsed ?? text;
  return element ? items.map((item) => coerceValue(element, item)) : items;
}

/** `- a\n- b` or `1. a\n2. b` → ['a', 'b']. */
function bulletItems(text: string): string[] | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return undefined;
  const bullet = /^(?:[-*•]|\d+[.)]|\[\d+\])\s+(.*)$/;
  if (!lines.every((l) => bullet.test(l))) return undefined;
  return lines.map((l) => (bullet.exec(l) as RegExpExecArray)[1] as string);
}

/**
 * JSON as LMs write it, also inside a ``` fence: strict JSON, else a repaired object or array (single quotes,
 * Python literals, trailing commas, numeric underscores). Undefined when it is not JSON.
 */
export function parseJsonLoose(text: string): unknown {
  const fenced = /```(?:json)?\s*\n?([\s\S]*?)```/.exec(text);
  const candidate = (fenced ? fenced[1] : text)?.trim() ?? '';
  return parseJsonLenient(candidate);
}
