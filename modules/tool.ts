import { z } from 'zod';
import { coerceValue, parseJsonLoose } from '../src/adapters/coerce.js';
import { TsdspyError } from '../src/errors/index.js';
import { cloneParameters } from '../src/module/walk.js';
import { toJsonSchema } from '../src/signature/json-schema.js';

/** Arguments a tool was called with did not match its parameters. */
export class ToolArgumentsError extends TsdspyError {}

export interface ToolSpecInput<P extends z.ZodObject> {
  name: string;
  description: string;
  parameters: P;
  execute: (args: z.output<P>) => unknown;
}

const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A function an agent can call. Its description and each argument's description are optimizable text:
 * they are read at every call, so an optimizer that rewrites them changes what the agent sees.
 */
export class Tool<P extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  description: string;
  /** Argument descriptions by argument name (initially from the zod schema's `.describe()`). */
  argDescriptions: Record<string, string>;
  readonly parameters: P;
  // Declared as a method type so a tool with specific arguments is still a `Tool` (method parameters are bivariant).
  private readonly run: { execute(args: z.output<P>): unknown }['execute'];

  constructor(spec: ToolSpecInput<P>) {
    if (!TOOL_NAME.test(spec.name)) throw new TsdspyError(`Invalid tool name "${spec.name}": use letters, digits, _ or -`);
    this.name = spec.name;
    this.description = spec.description;
    this.parameters = spec.parameters;
    this.run = spec.execute;
    this.argDescriptions = Object.fromEntries(
      Object.entries(spec.parameters.shape).map(([arg, schema]) => [arg, (schema as z.ZodType).description ?? '']),
    );
  }

  /** A tool from a plain function whose arguments are all strings, described in `args`. */
  static fromFunction(
    fn: (args: Record<string, string>) => unknown,
    options: { name?: string; description: string; args?: Record<string, string> },
  ): Tool {
    const name = options.name ?? fn.name;
    if (!name) throw new TsdspyError('Tool.fromFunction needs a named function or a { name } option');
    const shape = Object.fromEntries(Object.entries(options.args ?? {}).map(([arg, desc]) => [arg, z.string().describe(desc)]));
    return new Tool({
      name,
      description: options.description,
      parameters: z.object(shape),
      execute: fn as (args: object) => unknown,
    });
  }

  /** A copy with its own descriptions (what `Module.clone()` uses); the schema and function are shared. */
  [cloneParameters](): Tool<P> {
    const copy = new Tool<P>({ name: this.name, description: this.description, parameters: this.parameters, execute: this.run });
    copy.argDescriptions = { ...this.argDescriptions };
    return copy;
  }

  /**
   * Coerces the arguments to the parameter types the way pydantic's lax mode does (`"41"` → 41, `"true"` → true, a
   * JSON string for an object or array), validates them, then runs the tool. Invalid arguments throw
   * ToolArgumentsError (ReAct shows it to the model as an observation).
   */
  async call(args: unknown): Promise<unknown> {
    const parsed = this.parameters.safeParse(coerceArgs(this.parameters, args ?? {}));
    if (!parsed.success) {
      throw new ToolArgumentsError(
        `Invalid arguments for tool "${this.name}": ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ')}`,
      );
    }
    return this.run(parsed.data);
  }

  /** JSON Schema of the arguments with the current argument descriptions. */
  argsSchema(): Record<string, unknown> {
    const schema = toJsonSchema(this.parameters) as { properties?: Record<string, Record<string, unknown>> };
    for (const [arg, description] of Object.entries(this.argDescriptions)) {
      const prop = schema.properties?.[arg];
      if (prop) {
        if (description) prop.description = description;
        else delete prop.description;
      }
    }
    return schema;
  }

  /** One line per tool for prompts: name, description, argument schema. */
  render(): string {
    return `${this.name}: ${this.description} Arguments: ${JSON.stringify(this.argsSchema().properties ?? {})}`;
  }
}

/** Builds a tool whose argument type is inferred from the zod object. */
export function tool<P extends z.ZodObject>(spec: ToolSpecInput<P>): Tool<P> {
  return new Tool(spec);
}

/** Each argument brought to its parameter's type where a real model typically sends a string instead. */
function coerceArgs(parameters: z.ZodObject, args: unknown): unknown {
  const record = typeof args === 'string' ? (parseJsonLoose(args) ?? args) : args;
  if (!record || typeof record !== 'object' || Array.isArray(record)) return record;
  const shape = parameters.shape as Record<string, z.ZodType>;
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, shape[key] ? coerceValue(shape[key], value) : value]),
  );
}
