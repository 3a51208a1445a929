import type { Field } from '../signature/field.js';
import {
  type AdapterOptions,
  type AdapterRequest,
  type AdapterResponse,
  type AnySignature,
  attachCallContext,
  TemplateAdapter,
} from './adapter.js';
import { coerceText, parseJsonLoose, validateField } from './coerce.js';
import { AdapterParseError, type InvalidField } from './errors.js';
import { JSONAdapter } from './json.js';
import { renderValue } from './render.js';

const FIELD_BLOCK = `{{#each values}}[[ ## {{name}} ## ]]
{{{value}}}

{{/each}}`;

export const CHAT_TEMPLATES = {
  system: `Your input fields are:
{{#each inputs}}{{index}}. \`{{name}}\` ({{type}}){{#if description}}: {{description}}{{/if}}{{#if constraints}}
Constraints: {{constraints}}{{/if}}
{{/each}}
Your output fields are:
{{#each outputs}}{{index}}. \`{{name}}\` ({{type}}){{#if description}}: {{description}}{{/if}}{{#if constraints}}
Constraints: {{constraints}}{{/if}}
{{/each}}
All interactions will be structured in the following way, with the appropriate values filled in.

{{#each inputs}}[[ ## {{name}} ## ]]
{{{placeholder}}}

{{/each}}
{{#each outputs}}[[ ## {{name}} ## ]]
{{{placeholder}}}

{{/each}}
[[ ## completed ## ]]

In adhering to this structure, your objective is:
{{{instructions}}}`,
  user: `${FIELD_BLOCK}{{#if isFinal}}Respond with the corresponding output fields, starting with the field {{#each outputs}}{{#unless @first}}, then {{/unless}}\`[[ ## {{name}} ## ]]\`{{constraint}}{{/each}}, and then ending with the marker for \`[[ ## completed ## ]]\`.{{/if}}`,
  assistant: `${FIELD_BLOCK}[[ ## completed ## ]]`,
};

export interface ChatAdapterOptions extends AdapterOptions {
  /** Retry once with the JSON adapter when a reply cannot be parsed (default true). */
  useJSONFallback?: boolean;
}

/** A field marker at the start of a line (leading spaces allowed, as LMs indent). */
const MARKER = /^[ \t]*\[\[ ## ([A-Za-z_][A-Za-z0-9_]*) ## \]\]/gm;

/**
 * The default adapter: fields delimited by `[[ ## name ## ]]` markers, closed by `[[ ## completed ## ]]`.
 * Falls back to the JSON adapter once when a reply cannot be parsed.
 */
export class ChatAdapter extends TemplateAdapter {
  readonly name = 'ChatAdapter';
  private readonly useJSONFallback: boolean;
  private fallback?: JSONAdapter;

  constructor(options: ChatAdapterOptions = {}) {
    super(CHAT_TEMPLATES, options);
    this.useJSONFallback = options.useJSONFallback ?? true;
  }

  override async call(request: AdapterRequest): Promise<AdapterResponse> {
    try {
      return await super.call(request);
    } catch (error) {
      if (!(error instanceof AdapterParseError) || !this.useJSONFallback) throw error;
      this.fallback ??= new JSONAdapter();
      try {
        return await this.fallback.call(request);
      } catch (fallbackError) {
        if (!(fallbackError instanceof AdapterParseError)) throw fallbackError;
        // Report the original (chat) failure; the JSON attempt is kept as the cause.
        const combined = new AdapterParseError({
          adapter: `${this.name} (and JSONAdapter fallback)`,
          signature: request.signature,
          rawReply: error.rawReply,
          missing: error.missing,
          invalid: error.invalid,
          cause: fallbackError,
        });
        throw attachCallContext(combined, error.messages ?? [], error.usage);
      }
    }
  }

  parse(signature: AnySignature, reply: string): Record<string, unknown> {
    const sections = splitSections(reply);
    // A reply with no markers that is one JSON object (as many models write, e.g. ReAct steps) is read as JSON
    // right away, instead of paying for a second call through the JSON fallback.
    if (sections.size === 0 && this.useJSONFallback && isJsonObject(reply)) {
      this.fallback ??= new JSONAdapter();
      return this.fallback.parse(signature, reply);
    }
    return readFields(this.name, signature, reply, (field) => sections.get(field.name));
  }
}

/**
 * Splits a reply on field markers. Only a marker at the start of a line counts (a marker quoted mid-sentence is text),
 * the reply ends at the last `completed` marker, and when a field's marker repeats the last occurrence wins: reasoning
 * that quotes `[[ ## answer ## ]] …` before the real answer does not decide the answer.
 */
function splitSections(reply: string): Map<string, string> {
  const sections = new Map<string, string>();
  const matches = [...reply.matchAll(MARKER)];
  const completed = matches.findLastIndex((m) => m[1] === 'completed');
  const live = completed === -1 ? matches : matches.slice(0, completed + 1);
  for (let i = 0; i < live.length; i++) {
    const match = live[i] as RegExpExecArray;
    const name = match[1] as string;
    if (name === 'completed') continue;
    const start = match.index + match[0].length;
    const end = i + 1 < live.length ? (live[i + 1] as RegExpExecArray).index : reply.length;
    sections.set(name, reply.slice(start, end).trim());
  }
  return sections;
}

/** Reads every output field via `textOf`, coercing and validating; throws one error listing every problem. */
export function readFields(
  adapter: string,
  signature: AnySignature,
  reply: string,
  textOf: (field: Field) => string | undefined,
  coerce: (field: Field, text: string) => unknown = (field, text) => coerceText(field.schema, text),
): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  const missing: string[] = [];
  const invalid: InvalidField[] = [];
  for (const field of signature.outputFields) {
    const text = textOf(field);
    if (text === undefined) {
      const fallback = missingValue(field);
      if (fallback === MISSING) missing.push(field.name);
      else if (fallback !== undefined) outputs[field.name] = fallback;
      continue;
    }
    const checked = validateField(field, coerce(field, text), text);
    if ('invalid' in checked) invalid.push(checked.invalid);
    else outputs[field.name] = checked.value;
  }
  if (missing.length || invalid.length) throw new AdapterParseError({ adapter, signature, rawReply: reply, missing, invalid });
  return outputs;
}

const MISSING = Symbol('missing');

/**
 * What an output the LM left out becomes, as in DSPy: its zod `.default()`, else `null` when the field is nullable,
 * else nothing for an optional field; MISSING when the field is required.
 */
function missingValue(field: Field): unknown {
  const parsed = field.schema.safeParse(undefined);
  if (parsed.success) return parsed.data;
  return field.schema.safeParse(null).success ? null : MISSING;
}

/** Writes a reply in ChatAdapter's format — handy for scripting LMs in tests and offline examples. */
export function chatReply(values: Record<string, unknown>): string {
  const blocks = Object.entries(values).map(([name, value]) => `[[ ## ${name} ## ]]\n${renderValue(value)}`);
  return `${blocks.join('\n\n')}\n\n[[ ## completed ## ]]`;
}

function isJsonObject(reply: string): boolean {
  const value = parseJsonLoose(reply);
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
