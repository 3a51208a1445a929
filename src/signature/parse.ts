import { z } from 'zod';
import { SignatureError } from '../errors/index.js';
import { type Field, isValidFieldName, makeField, RESERVED_FIELD_NAMES, reservedNameMessage } from './field.js';

/** A piece of the source string and where it starts (0-based offset). */
interface Span {
  text: string;
  start: number;
}

export interface ParsedSignature {
  inputs: Field[];
  outputs: Field[];
}

/**
 * Parses `question, context?: string[] -> answer: number "the final number"`.
 * Every error names the offending token and its 1-based column.
 */
export function parseSignatureString(source: string): ParsedSignature {
  const arrows = findOutsideQuotes(source, '->');
  if (arrows.length === 0) {
    throw fail(source, { text: source, start: 0 }, `Signature "${source}" has no "->" between inputs and outputs`);
  }
  if (arrows.length > 1) {
    const second = arrows[1] as number;
    throw fail(source, { text: '->', start: second }, 'Signature has more than one "->"');
  }
  const arrow = arrows[0] as number;
  const inputs = parseSide(source, { text: source.slice(0, arrow), start: 0 }, 'input', arrow);
  const outputs = parseSide(source, { text: source.slice(arrow + 2), start: arrow + 2 }, 'output', arrow);
  const seen = new Map<string, true>();
  for (const [field, span] of [...inputs, ...outputs]) {
    if (seen.has(field.name)) throw fail(source, span, `Duplicate field name "${field.name}"`);
    seen.set(field.name, true);
  }
  return { inputs: inputs.map(([f]) => f), outputs: outputs.map(([f]) => f) };
}

function parseSide(source: string, side: Span, kind: 'input' | 'output', arrow: number): Array<[Field, Span]> {
  if (side.text.trim() === '') throw fail(source, { text: '->', start: arrow }, `Signature has no ${kind} fields`);
  const pieces: Span[] = [];
  let from = 0;
  for (const comma of [...findOutsideQuotes(side.text, ','), side.text.length]) {
    pieces.push({ text: side.text.slice(from, comma), start: side.start + from });
    from = comma + 1;
  }
  return pieces.map((piece) => {
    const trimmed = trimSpan(piece);
    if (trimmed.text === '') throw fail(source, piece, `Empty ${kind} field (stray comma?)`);
    return [parseField(source, trimmed), trimmed];
  });
}

const FIELD_HEAD = /^([^\s?:"]+)\s*(\?)?\s*(?::\s*(.*))?$/s;

function parseField(source: string, span: Span): Field {
  let body = span.text;
  let description: string | undefined;
  const descMatch = /\s*"([^"]*)"\s*$/.exec(body);
  if (descMatch) {
    description = descMatch[1];
    body = body.slice(0, descMatch.index);
  }
  const head = FIELD_HEAD.exec(body.trim());
  if (!head) throw fail(source, span, `Cannot read field "${span.text}"; expected name, name?, or name: type`);
  const name = head[1] as string;
  if (!isValidFieldName(name)) throw fail(source, span, `Invalid field name "${name}"`);
  if (RESERVED_FIELD_NAMES.has(name)) throw fail(source, span, reservedNameMessage(name));
  const optional = head[2] === '?';
  const typeText = head[3]?.trim();
  if (head[3] !== undefined && !typeText) throw fail(source, span, `Field "${name}" has ":" but no type`);
  let schema: z.ZodType = typeText ? parseType(source, typeText, span) : z.string();
  if (description !== undefined) schema = schema.describe(description);
  if (optional) schema = schema.optional();
  return makeField(name, schema, { optional, ...(description === undefined ? {} : { description }) });
}

const BASE_TYPES: Record<string, () => z.ZodType> = {
  string: () => z.string(),
  str: () => z.string(),
  number: () => z.number(),
  float: () => z.number(),
  int: () => z.int(),
  boolean: () => z.boolean(),
  bool: () => z.boolean(),
  json: () => z.unknown(),
};

function parseType(source: string, text: string, fieldSpan: Span): z.ZodType {
  const column = fieldSpan.start + fieldSpan.text.indexOf(text);
  const typeSpan = { text, start: column };
  if (text.startsWith("'")) return parseLiteralUnion(source, typeSpan);
  const array = text.endsWith('[]');
  const base = array ? text.slice(0, -2).trim() : text;
  const make = BASE_TYPES[base];
  if (!make || (array && base === 'json')) {
    throw fail(source, typeSpan, `Unknown type "${text}"; use string, number, int, boolean, json, T[] or 'a' | 'b'`);
  }
  return array ? z.array(make()) : make();
}

function parseLiteralUnion(source: string, span: Span): z.ZodType {
  const values: string[] = [];
  for (const part of span.text.split('|')) {
    const match = /^\s*'([^']*)'\s*$/.exec(part);
    if (!match) throw fail(source, span, `Cannot read literal "${part.trim()}"; write literals as 'a' | 'b'`);
    values.push(match[1] as string);
  }
  if (new Set(values).size !== values.length) throw fail(source, span, 'Literal union repeats a value');
  return z.enum(values as [string, ...string[]]);
}

/** Offsets of `needle` in `text` that are not inside double or single quotes. */
function findOutsideQuotes(text: string, needle: string): number[] {
  const found: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (text.startsWith(needle, i)) {
      found.push(i);
      i += needle.length - 1;
    }
  }
  return found;
}

function trimSpan(span: Span): Span {
  const lead = span.text.length - span.text.trimStart().length;
  return { text: span.text.trim(), start: span.start + lead };
}

function fail(source: string, span: Span, message: string): SignatureError {
  const column = span.start + 1;
  const token = span.text.trim();
  return new SignatureError(`${message} (at column ${column}, token "${token}", in "${source}")`, token, column);
}
