import { z } from 'zod';
import type { LanguageModel, ResponseFormat } from '../lm/types.js';
import type { Field } from '../signature/field.js';
import { type AdapterOptions, type AnySignature, TemplateAdapter } from './adapter.js';
import { readFields } from './chat.js';
import { coerceValue, parseJsonLoose } from './coerce.js';
import { AdapterParseError } from './errors.js';
import { renderValue } from './render.js';

export const JSON_TEMPLATES = {
  system: `Your input fields are:
{{#each inputs}}{{index}}. \`{{name}}\` ({{type}}){{#if description}}: {{description}}{{/if}}{{#if constraints}}
Constraints: {{constraints}}{{/if}}
{{/each}}
Your output fields are:
{{#each outputs}}{{index}}. \`{{name}}\` ({{type}}){{#if description}}: {{description}}{{/if}}{{#if constraints}}
Constraints: {{constraints}}{{/if}}
{{/each}}
All interactions will be structured in the following way, with the appropriate values filled in.

Inputs will have the following structure:

{{#each inputs}}[[ ## {{name}} ## ]]
{{{placeholder}}}

{{/each}}
Outputs will be a JSON object with the following fields.

{
{{#each outputs}}  "{{name}}": "{{{jsonPlaceholder}}}"{{#unless @last}},{{/unless}}
{{/each}}
}

In adhering to this structure, your objective is:
{{{instructions}}}`,
  user: `{{#each values}}[[ ## {{name}} ## ]]
{{{value}}}

{{/each}}{{#if isFinal}}Respond with a JSON object in the following order of fields: {{#each outputs}}{{#unless @first}}, then {{/unless}}\`{{name}}\`{{constraint}}{{/each}}.{{/if}}`,
  assistant: `{{{json}}}`,
};

/** Asks for one JSON object holding every output field; uses the provider's structured output when available. */
export class JSONAdapter extends TemplateAdapter {
  readonly name = 'JSONAdapter';
  private readonly formats = new WeakMap<AnySignature, ResponseFormat>();

  constructor(options: AdapterOptions = {}) {
    super(JSON_TEMPLATES, options);
  }

  protected override requestExtras(signature: AnySignature, lm: LanguageModel): { responseFormat?: ResponseFormat } {
    if (!lm.capabilities?.responseFormat) return {};
    let format = this.formats.get(signature);
    if (!format) {
      const shape = Object.fromEntries(signature.outputFields.map((f) => [f.name, f.schema]));
      const { $schema: _ignored, ...schema } = z.toJSONSchema(z.object(shape), { unrepresentable: 'any' }) as Record<
        string,
        unknown
      >;
      format = { type: 'json_schema', name: 'outputs', schema };
      this.formats.set(signature, format);
    }
    return { responseFormat: format };
  }

  parse(signature: AnySignature, reply: string): Record<string, unknown> {
    const object = extractJsonObject(reply);
    if (!object) {
      throw new AdapterParseError({ adapter: this.name, signature, rawReply: reply, reason: 'the reply holds no JSON object' });
    }
    return readFields(
      this.name,
      signature,
      reply,
      (field) => (presentIn(object, field) ? renderValue(object[field.name]) : undefined),
      (field) => coerceValue(field.schema, object[field.name]),
    );
  }
}

/**
 * The JSON object of a reply, also when fenced or surrounded by prose. When the reply holds several top-level objects
 * (an LM that echoes an input containing JSON, then answers), the last one that parses wins.
 */
function extractJsonObject(reply: string): Record<string, unknown> | undefined {
  const direct = parseJsonLoose(reply);
  if (isRecord(direct)) return direct;
  const spans = topLevelObjects(reply);
  for (let i = spans.length - 1; i >= 0; i--) {
    const [start, end] = spans[i] as [number, number];
    const value = parseJsonLoose(reply.slice(start, end));
    if (isRecord(value)) return value;
  }
  return undefined;
}

/** `[start, end)` of every balanced top-level `{…}` in `text`, skipping braces inside JSON strings. */
function topLevelObjects(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && depth > 0 && --depth === 0) spans.push([start, i + 1]);
  }
  return spans;
}

/** A key the reply holds; `null` only counts for a nullable field (elsewhere it means "left out"). */
function presentIn(object: Record<string, unknown>, field: Field): boolean {
  if (!(field.name in object)) return false;
  return object[field.name] !== null || field.schema.safeParse(null).success;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
