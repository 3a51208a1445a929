import { typeLabel, valueKind } from '../signature/describe-type.js';
import type { Field } from '../signature/field.js';

/**
 * Anything shaped like a field marker (`[[ ## answer ## ]]`, also with other spacing) inside a value. Values are
 * hostile: a marker inside a user's question must not become a live marker that an echoing LM turns into a parseable
 * injected answer.
 */
const MARKER_LIKE = /\[\[(\s*##\s*[^\]\n]*?\s*##\s*)\]\]/g;

/** Defuses field markers inside a value (`[[ ## a ## ]]` → `[ [ ## a ## ] ]`); never reversed. */
export function escapeMarkers(text: string): string {
  return text.replace(MARKER_LIKE, '[ [$1] ]');
}

/** A value as written into a prompt's field block: {@link renderValue} with field markers defused. */
export function renderFieldValue(value: unknown): string {
  return escapeMarkers(renderValue(value));
}

/** How a value is written into a prompt: strings as they are, everything else as JSON. */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/** Template view of a field, shared by every adapter's templates. */
export interface FieldView {
  index: number;
  name: string;
  type: string;
  description?: string;
  prefix: string;
  /** What the structure section shows in place of the value, e.g. `{answer}  # note: must be a number`. */
  placeholder: string;
  /** A short constraint for reminders, e.g. ` (must be formatted as a valid number)`; empty for strings. */
  constraint: string;
}

/** Output fields get a type note in their placeholder; inputs are shown as they are. */
export function fieldViews(fields: readonly Field[], side: 'input' | 'output'): FieldView[] {
  return fields.map((f, i) => {
    const constraint = typeConstraint(f);
    return {
      index: i + 1,
      name: f.name,
      type: typeLabel(f.schema),
      prefix: f.prefix,
      placeholder: `{${f.name}}${constraint && side === 'output' ? `        # note: the value you produce ${constraint}` : ''}`,
      constraint: constraint ? ` (${constraint})` : '',
      ...(f.description === undefined ? {} : { description: f.description }),
    };
  });
}

function typeConstraint(field: Field): string {
  switch (valueKind(field.schema)) {
    case 'string':
      return '';
    case 'number':
      return 'must be formatted as a valid number';
    case 'int':
      return 'must be formatted as a valid integer';
    case 'boolean':
      return 'must be True or False';
    case 'enum':
      return `must be exactly one of: ${typeLabel(field.schema).replace(/^one of: /, '')}`;
    case 'array':
      return `must be a JSON array (${typeLabel(field.schema)})`;
    default:
      return 'must be valid JSON';
  }
}
