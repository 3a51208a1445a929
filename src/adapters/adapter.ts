import Handlebars from 'handlebars';
import type { LanguageModel, LMCallConfig, LMRequest, Message, ResponseFormat, Usage } from '../lm/types.js';
import { emit, newCallId } from '../settings/callbacks.js';
import { currentSettings } from '../settings/settings.js';
import type { Signature } from '../signature/signature.js';
import { traceLMCall } from '../telemetry/lm-span.js';
import { AdapterParseError } from './errors.js';
import { type FieldView, fieldViews, renderFieldValue, renderValue } from './render.js';

export type AnySignature = Signature<object, object>;
export type Demo = Record<string, unknown>;

/** Everything an adapter needs to run one predictor call. */
export interface AdapterRequest {
  lm: LanguageModel;
  signature: AnySignature;
  demos: readonly Demo[];
  inputs: Record<string, unknown>;
  config: LMCallConfig;
  signal?: AbortSignal;
  /** For callbacks: which predictor is calling. */
  predictorName?: string;
}

/** The parsed result of one predictor call. */
export interface AdapterResponse {
  /** Parsed outputs, one per completion that parsed (at least one). */
  outputs: Record<string, unknown>[];
  messages: Message[];
  rawCompletions: string[];
  usage?: Usage;
  /** Name of the adapter whose parse succeeded (differs from the called one after a fallback). */
  adapter: string;
}

/** Turns signature + demos + inputs into messages, and replies back into typed outputs. */
export interface Adapter {
  readonly name: string;
  format(signature: AnySignature, demos: readonly Demo[], inputs: Record<string, unknown>): Message[];
  /** Parses one reply; throws AdapterParseError when a required field is missing or invalid. */
  parse(signature: AnySignature, reply: string): Record<string, unknown>;
  call(request: AdapterRequest): Promise<AdapterResponse>;
  /** A readable rendering of one call's inputs and outputs, for reflection prompts. */
  formatForReflection(signature: AnySignature, inputs: Record<string, unknown>, outputs: Record<string, unknown>): string;
}

/** Handlebars templates of an adapter's messages. Each receives an {@link TemplateContext}. */
export interface AdapterTemplates {
  system: string;
  user: string;
  assistant: string;
}

export interface TemplateContext {
  instructions: string;
  inputs: FieldView[];
  outputs: FieldView[];
  /** Field values for user/assistant templates: `[{ name, value }]` in field order. */
  values: Array<{ name: string; value: string }>;
  /** The same values as one pretty-printed JSON object (missing ones left out), for JSON-style turns. */
  json: string;
  /** True for the real (last) user message; false for demo turns. */
  isFinal: boolean;
}

export interface AdapterOptions {
  templates?: Partial<AdapterTemplates>;
}

/** Shared machinery: compiled templates, message assembly, per-signature caching, the call loop. */
export abstract class TemplateAdapter implements Adapter {
  abstract readonly name: string;
  private readonly compiled: { [K in keyof AdapterTemplates]: Handlebars.TemplateDelegate<TemplateContext> };
  private readonly systemCache = new WeakMap<AnySignature, string>();
  private readonly demoCache = new WeakMap<AnySignature, WeakMap<Demo, [Message, Message]>>();
  private readonly viewCache = new WeakMap<AnySignature, { inputs: FieldView[]; outputs: FieldView[] }>();

  constructor(defaults: AdapterTemplates, options: AdapterOptions = {}) {
    const templates = { ...defaults, ...options.templates };
    const compile = (source: string) => Handlebars.compile<TemplateContext>(source, { noEscape: true, strict: false });
    this.compiled = {
      system: compile(templates.system),
      user: compile(templates.user),
      assistant: compile(templates.assistant),
    };
  }

  abstract parse(signature: AnySignature, reply: string): Record<string, unknown>;

  /** Extra request fields (e.g. a response format) for this signature and LM. */
  protected requestExtras(_signature: AnySignature, _lm: LanguageModel): { responseFormat?: ResponseFormat } {
    return {};
  }

  format(signature: AnySignature, demos: readonly Demo[], inputs: Record<string, unknown>): Message[] {
    const messages: Message[] = [{ role: 'system', content: this.systemMessage(signature) }];
    for (const demo of demos) messages.push(...this.demoTurns(signature, demo));
    messages.push({
      role: 'user',
      content: this.render(
        'user',
        signature,
        signature.inputFields.map((f) => f.name),
        inputs,
        true,
      ),
    });
    return messages;
  }

  async call(request: AdapterRequest): Promise<AdapterResponse> {
    const { lm, signature, demos, inputs, config } = request;
    const messages = this.format(signature, demos, inputs);
    const lmRequest: LMRequest = { ...config, messages, ...this.requestExtras(signature, lm) };
    if (request.signal) lmRequest.signal = request.signal;
    const response = await callWithCallbacks(lm, lmRequest, request.predictorName ?? 'self');
    const rawCompletions = response.completions.map((c) => c.text);
    const outputs: Record<string, unknown>[] = [];
    let firstError: AdapterParseError | undefined;
    for (const text of rawCompletions) {
      try {
        outputs.push(this.parse(signature, text));
      } catch (error) {
        if (!(error instanceof AdapterParseError)) throw error;
        firstError ??= error;
      }
    }
    if (outputs.length === 0) {
      const error =
        firstError ??
        new AdapterParseError({ adapter: this.name, signature, rawReply: '', reason: 'the LM returned no completions' });
      throw attachCallContext(error, messages, response.usage);
    }
    return { outputs, messages, rawCompletions, adapter: this.name, ...(response.usage ? { usage: response.usage } : {}) };
  }

  formatForReflection(signature: AnySignature, inputs: Record<string, unknown>, outputs: Record<string, unknown>): string {
    const section = (title: string, names: string[], values: Record<string, unknown>) =>
      `${title}\n${names.map((n) => `### ${n}\n${n in values ? renderValue(values[n]) : '(not produced)'}`).join('\n\n')}`;
    return [
      section(
        '## Inputs',
        signature.inputFields.map((f) => f.name),
        inputs,
      ),
      section(
        '## Generated outputs',
        signature.outputFields.map((f) => f.name),
        outputs,
      ),
    ].join('\n\n');
  }

  /**
   * A demo's user and assistant turns, cached per (signature, demo object): demos are reused on every call,
   * and are treated as values (replace a demo object to change it, don't mutate it in place).
   */
  private demoTurns(signature: AnySignature, demo: Demo): [Message, Message] {
    let perDemo = this.demoCache.get(signature);
    if (!perDemo) {
      perDemo = new WeakMap();
      this.demoCache.set(signature, perDemo);
    }
    let turns = perDemo.get(demo);
    if (!turns) {
      turns = [
        {
          role: 'user',
          content: this.render(
            'user',
            signature,
            signature.inputFields.map((f) => f.name),
            demo,
            false,
          ),
        },
        {
          role: 'assistant',
          content: this.render(
            'assistant',
            signature,
            signature.outputFields.map((f) => f.name),
            demo,
            false,
          ),
        },
      ];
      perDemo.set(demo, turns);
    }
    return [{ ...turns[0] }, { ...turns[1] }];
  }

  private systemMessage(signature: AnySignature): string {
    let cached = this.systemCache.get(signature);
    if (cached === undefined) {
      cached = this.compiled.system(this.context(signature, [], '{}', true)).trim();
      this.systemCache.set(signature, cached);
    }
    return cached;
  }

  private render(
    template: 'user' | 'assistant',
    signature: AnySignature,
    names: string[],
    data: Record<string, unknown>,
    isFinal: boolean,
  ): string {
    const values = names.map((name) => ({
      name,
      value:
        data[name] === undefined
          ? 'Not supplied for this particular example.'
          : renderFieldValue(signature.field(name), data[name]),
    }));
    const json = template === 'assistant' ? JSON.stringify(pickDefined(data, names), null, 2) : '';
    return this.compiled[template](this.context(signature, values, json, isFinal)).trim();
  }

  private context(signature: AnySignature, values: TemplateContext['values'], json: string, isFinal: boolean): TemplateContext {
    let views = this.viewCache.get(signature);
    if (!views) {
      views = { inputs: fieldViews(signature.inputFields, 'input'), outputs: fieldViews(signature.outputFields, 'output') };
      this.viewCache.set(signature, views);
    }
    return { instructions: signature.instructions, ...views, values, json, isFinal };
  }
}

/** Calls an LM with the settings' `onLMStart`/`onLMEnd` callbacks around it (so every LM call can be observed). */
export async function callWithCallbacks(lm: LanguageModel, request: LMRequest, predictorName: string) {
  const callbacks = currentSettings().callbacks;
  const call = () => traceLMCall(lm, request, predictorName, () => lm.call(request));
  if (!callbacks?.length) return call();
  const base = { callId: newCallId(), predictorName, request };
  const started = performance.now();
  emit(callbacks, 'onLMStart', base);
  try {
    const response = await call();
    emit(callbacks, 'onLMEnd', { ...base, response, durationMs: performance.now() - started });
    return response;
  } catch (error) {
    emit(callbacks, 'onLMEnd', { ...base, error, durationMs: performance.now() - started });
    throw error;
  }
}

function pickDefined(data: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (data[name] !== undefined) out[name] = data[name];
  return out;
}

/** Messages and usage of the failed call, so traces and fallbacks can show them. */
export function attachCallContext(error: AdapterParseError, messages: Message[], usage?: Usage): AdapterParseError {
  error.messages = messages;
  if (usage) error.usage = usage;
  return error;
}

/** The adapter to use here: the predictor's own, else the settings', else a ChatAdapter. */
export function resolveAdapter(own: Adapter | undefined, fallback: () => Adapter): Adapter {
  return own ?? currentSettings().adapter ?? fallback();
}
