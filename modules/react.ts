import { z } from 'zod';
import { callWithCallbacks } from '../src/adapters/adapter.js';
import { AdapterParseError } from '../src/adapters/errors.js';
import { renderValue } from '../src/adapters/render.js';
import { makePrediction, type Prediction } from '../src/data/prediction.js';
import { TsdspyError } from '../src/errors/index.js';
import { ContextWindowExceededError } from '../src/lm/errors.js';
import type { LanguageModel, Message, ToolSpec } from '../src/lm/types.js';
import { logger } from '../src/logger/logger.js';
import { predictorNameInScope } from '../src/module/call-context.js';
import { type CallOptions, Module, type TextParameter } from '../src/module/module.js';
import { Predict, type PredictOptions } from '../src/module/predict.js';
import { currentSettings } from '../src/settings/settings.js';
import { type Field, makeField } from '../src/signature/field.js';
import { type InputsOf, type OutputsOf, Signature, type SignatureLike, toSignature } from '../src/signature/signature.js';
import { recordTrace } from '../src/trace/trace.js';
import type { Tool } from './tool.js';

/** One turn of the agent: what it thought, which tool it called with which arguments, and what came back. */
export interface ReActStep {
  thought: string;
  toolName: string;
  toolArgs: unknown;
  /** What the tool returned, kept as its value (as DSPy does); rendered as JSON in the trajectory text. */
  observation: unknown;
}

/** Per-call options of ReAct: `maxIters` overrides the module's for one call (DSPy's `react(..., max_iters=n)`). */
export interface ReActCallOptions extends CallOptions {
  maxIters?: number;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type In<S> = InputsOf<S>;
type ReActOut<S> = Simplify<OutputsOf<S> & { reasoning: string; trajectory: ReActStep[] }>;

export interface ReActOptions {
  tools: Tool[];
  maxIters?: number;
  /** Options for both inner predictors (e.g. a dedicated LM). */
  predict?: PredictOptions<Record<string, unknown>, Record<string, unknown>>;
  /**
   * Use the LM's own tool calling (OpenAI `tools`, Anthropic `tool_use`) for the agent steps when the LM supports it;
   * otherwise, and by default, steps are plain predictor calls with JSON arguments.
   */
  nativeToolCalling?: boolean;
}

const FINISH = 'finish';

/**
 * A tool-using agent (DSPy's ReAct): think → pick a tool and JSON arguments → observe, until it calls `finish`
 * or reaches `maxIters`; then an extraction step writes the signature's outputs from the trajectory.
 * Tool errors and invalid arguments come back as observations and the loop goes on. When the prompt outgrows the
 * context window, the oldest steps are dropped. Inner predictors: `<name>.react` and `<name>.extract`.
 */
export class ReAct<S extends SignatureLike = Signature> extends Module<In<S>, Prediction<ReActOut<S>>> {
  react: Predict;
  extract: Predict;
  tools: Record<string, Tool>;
  maxIters: number;
  nativeToolCalling: boolean;

  constructor(signature: S, options: ReActOptions) {
    super();
    const base = toSignature(signature) as unknown as Signature;
    this.tools = {};
    for (const t of options.tools) {
      if (t.name === FINISH) throw new TsdspyError('"finish" is reserved for the tool that ends the loop');
      if (this.tools[t.name]) throw new TsdspyError(`Two tools are named "${t.name}"`);
      this.tools[t.name] = t;
    }
    this.maxIters = options.maxIters ?? 20;
    this.nativeToolCalling = options.nativeToolCalling ?? false;
    const inputs = base.inputFields.map((f) => `\`${f.name}\``).join(', ');
    const outputs = base.outputFields.map((f) => `\`${f.name}\``).join(', ');
    const task = base.hasCustomInstructions ? `${base.instructions}\n\n` : '';
    const reactSignature = new Signature(
      [
        ...base.inputFields,
        ...signatureFields({
          trajectory: z.string().describe('Your steps so far: thoughts, tool calls and their observations'),
          available_tools: z.string().describe('The tools you may call, with their arguments'),
        }),
      ],
      signatureFields({
        next_thought: z.string().describe('Reason about the situation and plan your next step'),
        next_tool_name: z.string().describe('Exactly one tool name from available_tools'),
        next_tool_args: z.record(z.string(), z.unknown()).describe('Arguments for the tool, as a JSON object'),
      }),
      `${task}You are an agent. You receive the fields ${inputs} and your trajectory so far. Use the available tools to gather what you need to produce ${outputs}. In each turn, write next_thought, then choose next_tool_name and next_tool_args. After each call, the tool's result is added to your trajectory as an observation. When you have everything needed, call \`${FINISH}\`.`,
    );
    const extractSignature = base
      .appendInput('trajectory', z.string().describe('The steps the agent took and what it observed'))
      .prependOutput('reasoning', z.string().describe("Let's think step by step in order to produce the outputs."), {
        prefix: 'Reasoning:',
      });
    this.react = new Predict(reactSignature as Signature, options.predict ?? {});
    this.extract = new Predict(extractSignature as unknown as Signature, options.predict ?? {});
  }

  protected override ownTextParameters(): Record<string, TextParameter> {
    const params: Record<string, TextParameter> = {};
    for (const t of Object.values(this.tools)) {
      params[`tools.${t.name}.description`] = { get: () => t.description, set: (v) => (t.description = v) };
      for (const arg of Object.keys(t.argDescriptions)) {
        params[`tools.${t.name}.args.${arg}`] = {
          get: () => t.argDescriptions[arg] ?? '',
          set: (v) => (t.argDescriptions[arg] = v),
        };
      }
    }
    return params;
  }

  /** The tool list shown to the agent, rendered from the current (possibly optimized) descriptions. */
  renderTools(): string {
    const lines = Object.values(this.tools).map((t, i) => `(${i + 1}) ${t.render()}`);
    lines.push(
      `(${lines.length + 1}) ${FINISH}: Marks the task as complete: everything needed to produce the outputs is now known. Arguments: {}`,
    );
    return lines.join('\n');
  }

  override call(inputs: In<S>, options?: ReActCallOptions): Promise<Prediction<ReActOut<S>>> {
    return super.call(inputs, options);
  }

  async forward(inputs: In<S>, options?: ReActCallOptions): Promise<Prediction<ReActOut<S>>> {
    const steps: ReActStep[] = [];
    const availableTools = this.renderTools();
    const maxIters = options?.maxIters ?? this.maxIters;
    for (let i = 0; i < maxIters; i++) {
      let step: ReActStep;
      try {
        const values = inputs as Record<string, unknown>;
        const lm = this.react.lm ?? currentSettings().lm;
        const next =
          this.nativeToolCalling && lm?.capabilities?.tools
            ? await this.withTruncation(steps, (trajectory) => this.nativeStep(lm, values, trajectory, options))
            : await this.withTruncation(steps, (trajectory) =>
                this.react.call({ ...values, trajectory, available_tools: availableTools }, options),
              );
        step = await this.act(String(next.next_thought), String(next.next_tool_name).trim(), next.next_tool_args);
      } catch (error) {
        if (error instanceof ContextWindowExceededError) {
          // Even with every earlier step dropped the prompt does not fit: stop and extract from what we have, as DSPy does.
          logger.warn(`ReAct: the agent step does not fit the context window (${error.message}); extracting the outputs now.`);
          break;
        }
        if (!(error instanceof AdapterParseError)) throw error;
        step = {
          thought: '',
          toolName: '',
          toolArgs: {},
          observation: `Error: your reply could not be read (${error.missing.length ? `missing ${error.missing.join(', ')}` : error.invalid.map((f) => `${f.field}: ${f.message}`).join('; ')}). Answer with next_thought, next_tool_name and next_tool_args (a JSON object).`,
        };
      }
      steps.push(step);
      if (step.toolName === FINISH) break;
    }
    const extracted = await this.withTruncation(steps, (trajectory) =>
      this.extract.call({ ...(inputs as Record<string, unknown>), trajectory }, options),
    );
    const outputs = { ...extracted.toJSON(), trajectory: steps } as unknown as ReActOut<S>;
    return makePrediction(outputs, [outputs], extracted.usage);
  }

  /** The tools as the LM's own tool-calling API describes them, plus `finish`. */
  toolSpecs(): ToolSpec[] {
    return [
      ...Object.values(this.tools).map((t) => ({ name: t.name, description: t.description, parameters: t.argsSchema() })),
      {
        name: FINISH,
        description: 'Marks the task as complete: everything needed to produce the outputs is now known.',
        parameters: { type: 'object', properties: {} },
      },
    ];
  }

  /**
   * One agent step through native tool calling: the react predictor's instructions and the inputs go out with the
   * tools; the reply's first tool call is the action and its text the thought. Recorded in the trace as a call of
   * the react predictor, so optimizers see it like any other step.
   */
  private async nativeStep(lm: LanguageModel, inputs: Record<string, unknown>, trajectory: string, options?: CallOptions) {
    const name = predictorNameInScope(this.react);
    const fields = { ...inputs, trajectory };
    const messages: Message[] = [
      { role: 'system', content: this.react.instructions },
      {
        role: 'user',
        content: Object.entries(fields)
          .map(([k, v]) => `[[ ## ${k} ## ]]\n${renderValue(v)}`)
          .join('\n\n'),
      },
    ];
    const config = { ...this.react.config, ...currentSettings().config, ...options?.config };
    const response = await callWithCallbacks(
      lm,
      { ...config, messages, tools: this.toolSpecs(), ...(options?.signal ? { signal: options.signal } : {}) },
      name,
    );
    const completion = response.completions[0] ?? { text: '' };
    const call = completion.toolCalls?.[0];
    const outputs = { next_thought: completion.text, next_tool_name: call?.name ?? '', next_tool_args: call?.args ?? {} };
    recordTrace({
      predictorName: name,
      predictor: this.react,
      inputs: fields,
      outputs,
      messages,
      rawCompletion: completion.text,
      ...(response.usage ? { usage: response.usage } : {}),
    });
    return outputs;
  }

  private async act(thought: string, toolName: string, args: unknown): Promise<ReActStep> {
    if (toolName === FINISH) return { thought, toolName, toolArgs: {}, observation: 'Completed.' };
    const target = this.tools[toolName];
    if (!toolName)
      return { thought, toolName, toolArgs: args, observation: 'Error: no tool was called. Call one of the tools, or finish.' };
    if (!target) {
      const known = [...Object.keys(this.tools), FINISH].join(', ');
      return {
        thought,
        toolName,
        toolArgs: args,
        observation: `Error: there is no tool "${toolName}". Available tools: ${known}.`,
      };
    }
    try {
      const result = await target.call(args);
      return { thought, toolName, toolArgs: args, observation: result === undefined ? null : result };
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { thought, toolName, toolArgs: args, observation: `Execution error in ${toolName}: ${detail}` };
    }
  }

  /** Calls `run` with the rendered trajectory, dropping the oldest step each time the context window overflows. */
  private async withTruncation<T>(steps: ReActStep[], run: (trajectory: string) => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await run(renderTrajectory(steps));
      } catch (error) {
        if (!(error instanceof ContextWindowExceededError) || steps.length === 0) throw error;
        steps.shift();
      }
    }
  }
}

export function renderTrajectory(steps: readonly ReActStep[]): string {
  if (steps.length === 0) return '(no steps yet)';
  return steps
    .map(
      (s, i) =>
        `[step ${i + 1}]\nthought: ${s.thought}\ntool: ${s.toolName}\nargs: ${JSON.stringify(s.toolArgs)}\nobservation: ${renderValue(s.observation)}`,
    )
    .join('\n\n');
}

function signatureFields(shape: Record<string, z.ZodType>): Field[] {
  return Object.entries(shape).map(([name, schema]) => makeField(name, schema));
}
