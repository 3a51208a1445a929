import { z } from 'zod';
import { SignatureError } from '../errors/index.js';
import { defaultPrefix, type Field, isValidFieldName, makeField, RESERVED_FIELD_NAMES, reservedNameMessage } from './field.js';
import type { InputsOfString, OutputsOfString } from './infer.js';
import { fromJsonSchema, type JsonSchema, toJsonSchema } from './json-schema.js';
import { parseSignatureString } from './parse.js';

type AnyShape = Record<string, z.ZodType>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Patch accepted by `withUpdatedField`. */
export interface FieldPatch {
  description?: string;
  prefix?: string;
  schema?: z.ZodType;
}

/** Serialised form of one field. */
export interface FieldJSON {
  name: string;
  description?: string;
  prefix: string;
  optional: boolean;
  schema: JsonSchema;
}

/** Serialised form of a signature: what `toJSON` writes and `Signature.fromJSON` reads. */
export interface SignatureJSON {
  instructions: string;
  inputs: FieldJSON[];
  outputs: FieldJSON[];
}

export const signatureJSONSchema = z.object({
  instructions: z.string(),
  inputs: z.array(fieldJSONSchema()),
  outputs: z.array(fieldJSONSchema()),
});

function fieldJSONSchema() {
  return z.object({
    name: z.string(),
    description: z.string().optional(),
    prefix: z.string(),
    optional: z.boolean(),
    schema: z.record(z.string(), z.unknown()),
  });
}

/**
 * A typed task description: ordered input and output fields plus instructions.
 * Immutable: every edit returns a new signature. `I` and `O` are the input and output object types.
 */
export class Signature<I extends object = Record<string, unknown>, O extends object = Record<string, unknown>> {
  /** Phantom members carrying the inferred types; never set at run time. */
  declare readonly __inputs?: I;
  declare readonly __outputs?: O;

  readonly inputFields: readonly Field[];
  readonly outputFields: readonly Field[];
  readonly instructions: string;
  /** False when `instructions` was derived from the fields (then edits re-derive it). */
  readonly hasCustomInstructions: boolean;

  constructor(inputs: readonly Field[], outputs: readonly Field[], instructions?: string) {
    checkFields(inputs, outputs);
    this.inputFields = Object.freeze([...inputs]);
    this.outputFields = Object.freeze([...outputs]);
    this.hasCustomInstructions = instructions !== undefined && instructions.trim() !== '';
    this.instructions = this.hasCustomInstructions ? (instructions as string) : defaultInstructions(inputs, outputs);
    Object.freeze(this);
  }

  get fields(): readonly Field[] {
    return [...this.inputFields, ...this.outputFields];
  }

  field(name: string): Field | undefined {
    return this.fields.find((f) => f.name === name);
  }

  /** `question, context -> answer` — names only, used to compare signatures and in messages. */
  get shape(): string {
    const names = (fs: readonly Field[]) => fs.map((f) => f.name).join(', ');
    return `${names(this.inputFields)} -> ${names(this.outputFields)}`;
  }

  withInstructions(instructions: string): Signature<I, O> {
    return new Signature<I, O>(this.inputFields, this.outputFields, instructions);
  }

  appendInput<N extends string, S extends z.ZodType>(
    name: N,
    schema: S,
    extra?: { description?: string; prefix?: string },
  ): Signature<Simplify<I & FieldRecord<N, S, 'input'>>, O> {
    return this.rebuild([...this.inputFields, makeField(name, schema, extra)], this.outputFields);
  }

  prependInput<N extends string, S extends z.ZodType>(
    name: N,
    schema: S,
    extra?: { description?: string; prefix?: string },
  ): Signature<Simplify<I & FieldRecord<N, S, 'input'>>, O> {
    return this.rebuild([makeField(name, schema, extra), ...this.inputFields], this.outputFields);
  }

  appendOutput<N extends string, S extends z.ZodType>(
    name: N,
    schema: S,
    extra?: { description?: string; prefix?: string },
  ): Signature<I, Simplify<O & FieldRecord<N, S, 'output'>>> {
    return this.rebuild(this.inputFields, [...this.outputFields, makeField(name, schema, extra)]);
  }

  prependOutput<N extends string, S extends z.ZodType>(
    name: N,
    schema: S,
    extra?: { description?: string; prefix?: string },
  ): Signature<I, Simplify<O & FieldRecord<N, S, 'output'>>> {
    return this.rebuild(this.inputFields, [makeField(name, schema, extra), ...this.outputFields]);
  }

  delete<N extends string>(name: N): Signature<Simplify<Omit<I, N>>, Simplify<Omit<O, N>>> {
    if (!this.field(name)) throw new SignatureError(`Cannot delete "${name}": signature ${this.shape} has no such field`, name);
    return this.rebuild(
      this.inputFields.filter((f) => f.name !== name),
      this.outputFields.filter((f) => f.name !== name),
    );
  }

  withUpdatedField(name: keyof I | keyof O, patch: FieldPatch): Signature<I, O> {
    const key = String(name);
    if (!this.field(key)) throw new SignatureError(`Cannot update "${key}": signature ${this.shape} has no such field`, key);
    const update = (f: Field): Field =>
      f.name !== key
        ? f
        : makeField(f.name, patch.schema ?? f.schema, {
            prefix: patch.prefix ?? f.prefix,
            ...((patch.description ?? f.description) === undefined ? {} : { description: patch.description ?? f.description }),
          });
    return this.rebuild(this.inputFields.map(update), this.outputFields.map(update));
  }

  /** The same signature with a field's prompt texts replaced; `description: undefined` removes the description. */
  withFieldTexts(name: string, texts: { prefix: string; description: string | undefined }): Signature<I, O> {
    if (!this.field(name)) throw new SignatureError(`Cannot update "${name}": signature ${this.shape} has no such field`, name);
    const update = (f: Field): Field =>
      f.name !== name
        ? f
        : {
            name: f.name,
            schema: f.schema,
            optional: f.optional,
            prefix: texts.prefix,
            ...(texts.description === undefined ? {} : { description: texts.description }),
          };
    return this.rebuild(this.inputFields.map(update), this.outputFields.map(update));
  }

  /** `instructions` with more text appended after a blank line (DSPy's `append_instructions`). */
  appendInstructions(text: string): Signature<I, O> {
    return this.withInstructions(`${this.instructions}\n\n${text}`);
  }

  /** Same fields (names, sides, types, prompt texts) and instructions (DSPy's `Signature.equals`). */
  equals(other: Signature<object, object>): boolean {
    return JSON.stringify(this.toJSON()) === JSON.stringify(other.toJSON());
  }

  toJSON(): SignatureJSON {
    const fieldJSON = (f: Field): FieldJSON => ({
      name: f.name,
      prefix: f.prefix,
      optional: f.optional,
      schema: toJsonSchema(f.schema),
      ...(f.description === undefined ? {} : { description: f.description }),
    });
    return {
      instructions: this.instructions,
      inputs: this.inputFields.map(fieldJSON),
      outputs: this.outputFields.map(fieldJSON),
    };
  }

  static fromJSON(json: unknown): Signature {
    const parsed = signatureJSONSchema.safeParse(json);
    if (!parsed.success) throw new SignatureError(`Invalid signature JSON: ${z.prettifyError(parsed.error)}`);
    const field = (f: FieldJSON): Field => {
      let schema = fromJsonSchema(f.schema, f.name);
      if (f.description !== undefined) schema = schema.describe(f.description);
      if (f.optional) schema = schema.optional();
      return makeField(f.name, schema, {
        prefix: f.prefix,
        optional: f.optional,
        ...(f.description === undefined ? {} : { description: f.description }),
      });
    };
    const data = parsed.data as SignatureJSON;
    return new Signature(data.inputs.map(field), data.outputs.map(field), data.instructions);
  }

  private rebuild<I2 extends object, O2 extends object>(inputs: readonly Field[], outputs: readonly Field[]): Signature<I2, O2> {
    return new Signature<I2, O2>(inputs, outputs, this.hasCustomInstructions ? this.instructions : undefined);
  }
}

type FieldRecord<N extends string, S extends z.ZodType, Side extends 'input' | 'output'> =
  undefined extends z.output<S>
    ? { [K in N]?: Side extends 'input' ? z.input<S> : z.output<S> }
    : { [K in N]: Side extends 'input' ? z.input<S> : z.output<S> };

function defaultInstructions(inputs: readonly Field[], outputs: readonly Field[]): string {
  const list = (fs: readonly Field[]) => fs.map((f) => `\`${f.name}\``).join(', ');
  return `Given the fields ${list(inputs)}, produce the fields ${list(outputs)}.`;
}

function checkFields(inputs: readonly Field[], outputs: readonly Field[]): void {
  if (inputs.length === 0) throw new SignatureError('A signature needs at least one input field');
  if (outputs.length === 0) throw new SignatureError('A signature needs at least one output field');
  const seen = new Set<string>();
  for (const f of [...inputs, ...outputs]) {
    if (!isValidFieldName(f.name)) throw new SignatureError(`Invalid field name "${f.name}"`, f.name);
    if (RESERVED_FIELD_NAMES.has(f.name)) throw new SignatureError(reservedNameMessage(f.name), f.name);
    if (seen.has(f.name)) throw new SignatureError(`Duplicate field name "${f.name}"`, f.name);
    seen.add(f.name);
  }
}

/** Object form accepted by `signature({...})`. */
export interface SignatureSpec<In extends AnyShape, Out extends AnyShape> {
  instructions?: string;
  inputs: In;
  outputs: Out;
}

type ShapeInput<S extends AnyShape> = Simplify<z.input<z.ZodObject<S>>>;
type ShapeOutput<S extends AnyShape> = Simplify<z.output<z.ZodObject<S>>>;

/** Anything accepted where a signature is expected: a signature or its string form. */
export type SignatureLike = string | Signature<object, object>;

export type InputsOf<S> = S extends Signature<infer I extends object, object> ? I : S extends string ? InputsOfString<S> : never;
export type OutputsOf<S> =
  S extends Signature<object, infer O extends object> ? O : S extends string ? OutputsOfString<S> : never;

/** Builds a signature from its string form, with types inferred from the string. */
export function signature<const S extends string>(
  source: S,
  instructions?: string,
): Signature<InputsOfString<S>, OutputsOfString<S>>;
/** Builds a signature from zod shapes, with types inferred from the schemas. */
export function signature<In extends AnyShape, Out extends AnyShape>(
  spec: SignatureSpec<In, Out>,
): Signature<ShapeInput<In>, ShapeOutput<Out>>;
export function signature(source: string | SignatureSpec<AnyShape, AnyShape>, instructions?: string): Signature {
  if (typeof source === 'string') {
    const parsed = parseSignatureString(source);
    return new Signature(parsed.inputs, parsed.outputs, instructions);
  }
  const fromShape = (shape: AnyShape) => Object.entries(shape).map(([name, schema]) => makeField(name, schema));
  return new Signature(fromShape(source.inputs), fromShape(source.outputs), source.instructions);
}

/** Accepts a signature or its string form. */
export function toSignature<S extends SignatureLike>(sig: S): Signature<InputsOf<S>, OutputsOf<S>> {
  return (typeof sig === 'string' ? signature(sig) : sig) as unknown as Signature<InputsOf<S>, OutputsOf<S>>;
}

export { defaultPrefix };
