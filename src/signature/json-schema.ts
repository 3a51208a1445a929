import { z } from 'zod';
import { SignatureError } from '../errors/index.js';
import { unwrapSchema } from './field.js';

export type JsonSchema = { [key: string]: unknown };

/** JSON Schema of a field's value (wrappers like optional are recorded on the field instead). */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(unwrapSchema(schema), { unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/**
 * Rebuilds a zod schema from JSON Schema for the types signatures support: string, number, integer,
 * boolean, enums and consts, arrays, objects, and `{}` (any JSON). Anything else is refused by name.
 */
export function fromJsonSchema(json: JsonSchema, path = 'schema'): z.ZodType {
  const description = typeof json.description === 'string' ? json.description : undefined;
  const schema = buildSchema(json, path);
  return description === undefined ? schema : schema.describe(description);
}

function buildSchema(json: JsonSchema, path: string): z.ZodType {
  if (Array.isArray(json.enum)) {
    const values = json.enum as unknown[];
    if (values.every((v) => typeof v === 'string')) return z.enum(values as [string, ...string[]]);
    return z.union(values.map((v) => z.literal(v as string | number | boolean)) as unknown as [z.ZodType, z.ZodType]);
  }
  if ('const' in json) return z.literal(json.const as string | number | boolean);
  if (Array.isArray(json.anyOf)) {
    const options = (json.anyOf as JsonSchema[]).map((option, i) => fromJsonSchema(option, `${path}.anyOf[${i}]`));
    return options.length === 1 ? (options[0] as z.ZodType) : z.union(options as [z.ZodType, z.ZodType]);
  }
  switch (json.type) {
    case undefined:
      return z.unknown();
    case 'string':
      return z.string();
    case 'number':
      return z.number();
    case 'integer':
      return z.int();
    case 'boolean':
      return z.boolean();
    case 'null':
      return z.null();
    case 'array':
      return z.array(json.items ? fromJsonSchema(json.items as JsonSchema, `${path}.items`) : z.unknown());
    case 'object': {
      const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((json.required ?? []) as string[]);
      const shape: Record<string, z.ZodType> = {};
      for (const [key, value] of Object.entries(properties)) {
        const prop = fromJsonSchema(value, `${path}.${key}`);
        shape[key] = required.has(key) ? prop : prop.optional();
      }
      return Object.keys(shape).length === 0 ? z.record(z.string(), z.unknown()) : z.object(shape);
    }
    default:
      throw new SignatureError(`Unsupported JSON Schema type ${JSON.stringify(json.type)} at ${path}`);
  }
}
