import { typeLabel, valueKind } from '../signature/describe-type.js';
import { type Field, unwrapSchema } from '../signature/field.js';
import { fieldConstraints, promptJsonSchema, pythonStyleJson } from './prompt-schema.js';

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

/** How a value is written into a prompt: strings as they are, everything else as JSON. */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/**
 * A value as written into a prompt's field block, as DSPy writes it: a list given to a string field becomes numbered
 * `[1] «…»` items (one item is just `«…»`, none is `N/A`); anything else as {@link renderValue}. Field markers
 * inside the value are defused.
 */
export function renderFieldValue(field: Field | undefined, value: unknown): string {
  if (Array.isArray(value) && field && valueKind(field.schema) === 'string') return escapeMarkers(numberedItems(value));
  return escapeMarkers(renderValue(value));
}

function numberedItems(items: readonly unknown[]): string {
  if (items.length === 0) return 'N/A';
  const blob = (item: unknown) => {
    const text = renderValue(item);
    if (!/[\n«»]/.test(text)) return `«${text}»`;
    return `«««\n    ${text.replace(/\n/g, '\n    ')}\n»»»`;
  };
  if (items.length === 1) return blob(items[0]);
  return items.map((item, i) => `[${i + 1}] ${blob(item)}`).join('\n');
}

/** Template view of a field, shared by every adapter's templates. */
export interface FieldView {
  index: number;
  name: string;
  type: string;
  description?: string;
  /** Constraints from the schema, described for the LM, e.g. `minimum length: 5, less than: 10`. */
  constraints?: string;
  prefix: string;
  /** What the structure section shows in place of the value, e.g. `{answer}  # note: must be a number`. */
  placeholder: string;
  /** The placeholder escaped for use inside a JSON string (JSON-style templates). */
  jsonPlaceholder: string;
  /** A short constraint for reminders, e.g. ` (must be formatted as a valid number)`; empty for strings. */
  constraint: string;
}

/** Output fields get a type note in their placeholder; inputs are shown as they are. */
export function fieldViews(fields: readonly Field[], side: 'input' | 'output'): FieldView[] {
  return fields.map((f, i) => {
    const constraint = typeConstraint(f);
    const placeholder = `{${f.name}}${side === 'output' ? outputNote(f) : ''}`;
    const constraints = fieldConstraints(f.schema);
    return {
      index: i + 1,
      name: f.name,
      type: typeLabel(f.schema),
      prefix: f.prefix,
      placeholder,
      jsonPlaceholder: JSON.stringify(placeholder).slice(1, -1),
      constraint: constraint ? ` (${constraint})` : '',
      ...(f.description === undefined ? {} : { description: f.description }),
      ...(constraints ? { constraints } : {}),
    };
  });
}

/** The `# note:` after an output's placeholder; structured outputs show their JSON schema, as in DSPy. */
function outputNote(field: Field): string {
  const kind = valueKind(field.schema);
  const note =
    kind === 'array' || kind === 'object' || (kind === 'unknown' && unwrapSchema(field.schema).def.type !== 'unknown')
      ? `must adhere to the JSON schema: ${pythonStyleJson(promptJsonSchema(field.schema))}`
      : typeConstraint(field);
  return note ? `        # note: the value you produce ${note}` : '';
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
