import { z } from 'zod';
import { makePrediction, type Prediction } from '../src/data/prediction.js';
import { TsdspyError } from '../src/errors/index.js';
import { type CallOptions, Module } from '../src/module/module.js';
import { Predict, type PredictOptions } from '../src/module/predict.js';
import { runSandboxed, type SandboxOptions, type SandboxResult } from '../src/sandbox/sandbox.js';
import { makeField } from '../src/signature/field.js';
import { type InputsOf, type OutputsOf, Signature, type SignatureLike, toSignature } from '../src/signature/signature.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type PoTOut<S> = Simplify<OutputsOf<S> & { code: string; codeOutput: unknown }>;

/** Every attempt's code failed. */
export class ProgramOfThoughtError extends TsdspyError {
  constructor(
    message: string,
    readonly lastCode: string,
    readonly lastResult: SandboxResult,
  ) {
    super(message);
  }
}

const CODE_RULES =
  'Write JavaScript that is the body of an async function: compute the result step by step and `return` it (a number, string, array or plain object). No imports, no require, no file or network access; console.log output is shown to you.';

/**
 * The LM writes JavaScript that computes the answer; the code runs in the sandbox (a separate, locked-down process)
 * and its errors are fed back for another attempt (DSPy's ProgramOfThought). Inner predictors: `generate`,
 * `regenerate`, `extract`.
 */
export class ProgramOfThought<S extends SignatureLike = Signature> extends Module<InputsOf<S>, Prediction<PoTOut<S>>> {
  generate: Predict;
  regenerate: Predict;
  extract: Predict;
  readonly maxIters: number;
  readonly sandbox: SandboxOptions;

  constructor(
    signature: S,
    options: { maxIters?: number; sandbox?: SandboxOptions } & PredictOptions<
      Record<string, unknown>,
      Record<string, unknown>
    > = {},
  ) {
    super();
    const { maxIters = 3, sandbox = {}, ...predictOptions } = options;
    const base = toSignature(signature) as unknown as Signature;
    this.maxIters = maxIters;
    this.sandbox = sandbox;
    const outputs = base.outputFields.map((f) => `\`${f.name}\``).join(', ');
    const codeField = { code: z.string().describe('JavaScript: the body of an async function that returns the result') };
    const generate = signatureWith(base, {}, { reasoning: z.string(), ...codeField }).withInstructions(
      `${base.hasCustomInstructions ? `${base.instructions}\n\n` : ''}Write code that computes what is needed to produce ${outputs}. ${CODE_RULES}`,
    );
    const regenerate = signatureWith(
      base,
      { previous_code: z.string(), error: z.string().describe('What went wrong when the previous code ran') },
      { reasoning: z.string(), ...codeField },
    ).withInstructions(
      `The previous code failed. Fix it so that it computes what is needed to produce ${outputs}. ${CODE_RULES}`,
    );
    const extract = base
      .appendInput('code', z.string())
      .appendInput('code_output', z.string().describe('What the code returned, and its console output'))
      .withInstructions(`${base.instructions}\n\nUse the code's output to produce ${outputs}.`);
    this.generate = new Predict(generate, predictOptions);
    this.regenerate = new Predict(regenerate, predictOptions);
    this.extract = new Predict(extract as unknown as Signature, predictOptions);
  }

  async forward(inputs: InputsOf<S>, options?: CallOptions): Promise<Prediction<PoTOut<S>>> {
    const values = inputs as Record<string, unknown>;
    let code = stripFences(String((await this.generate.call(values, options)).code));
    let result = await runSandboxed(code, this.sandbox);
    for (let attempt = 1; !result.ok && attempt < this.maxIters; attempt++) {
      const error = `${result.error.name}: ${result.error.message}\n${result.error.stack}`.trim();
      code = stripFences(String((await this.regenerate.call({ ...values, previous_code: code, error }, options)).code));
      result = await runSandboxed(code, this.sandbox);
    }
    if (!result.ok) {
      throw new ProgramOfThoughtError(
        `ProgramOfThought: the code failed ${this.maxIters} times; last error: ${result.error.message}`,
        code,
        result,
      );
    }
    const codeOutput = [JSON.stringify(result.value), ...result.logs.map((l) => `log: ${l}`)].join('\n');
    const final = await this.extract.call({ ...values, code, code_output: codeOutput }, options);
    const outputs = { ...final.toJSON(), code, codeOutput: result.value } as unknown as PoTOut<S>;
    return makePrediction(outputs, [outputs], final.usage);
  }
}

/** `base`'s inputs plus `inputs`, producing `outputs` (base's own outputs are left out). */
function signatureWith(base: Signature, inputs: Record<string, z.ZodType>, outputs: Record<string, z.ZodType>): Signature {
  const fields = (shape: Record<string, z.ZodType>) => Object.entries(shape).map(([name, schema]) => makeField(name, schema));
  return new Signature([...base.inputFields, ...fields(inputs)], fields(outputs));
}

/** The code inside a ``` block if the LM fenced it. */
export function stripFences(code: string): string {
  const fenced = /```(?:[a-z]*)\n([\s\S]*?)```/i.exec(code);
  return (fenced ? (fenced[1] as string) : code).trim();
}
