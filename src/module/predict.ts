import { z } from 'zod';
import { type Adapter, resolveAdapter } from '../adapters/adapter.js';
import { ChatAdapter } from '../adapters/chat.js';
import { AdapterParseError } from '../adapters/errors.js';
import { demoRecord, type Example } from '../data/example.js';
import { makePrediction, type Prediction } from '../data/prediction.js';
import { InputValidationError, LMNotConfiguredError, StateMismatchError } from '../errors/index.js';
import type { LanguageModel, LMCallConfig } from '../lm/types.js';
import { currentSettings } from '../settings/settings.js';
import { valueKind } from '../signature/describe-type.js';
import { type InputsOf, type OutputsOf, Signature, type SignatureLike, toSignature } from '../signature/signature.js';
import { recordTrace } from '../trace/trace.js';
import { predictorNameInScope } from './call-context.js';
import { type CallOptions, Module, type PredictorLike, type TextParameter } from './module.js';
import type { PredictorState } from './state.js';

export interface PredictOptions<I, O> {
  /** Example input/output records shown to the LM before the real inputs (plain records or `Example`s). */
  demos?: Array<(Partial<I & O> & Record<string, unknown>) | Example<object>>;
  /** Default LM sampling config for this predictor; per-call `config` overrides it. */
  config?: LMCallConfig;
  /** This predictor's own LM; otherwise the one from settings. */
  lm?: LanguageModel;
  adapter?: Adapter;
}

let defaultAdapter: Adapter | undefined;
const chatAdapter = () => {
  defaultAdapter ??= new ChatAdapter();
  return defaultAdapter;
};

type In<S> = InputsOf<S>;
type Out<S> = OutputsOf<S>;

const hinted = new WeakMap<object, Signature<object, object>>();

/** The signature with a trailing `hint_` input, cached per signature. */
function withHint<I extends object, O extends object>(signature: Signature<I, O>): Signature<I, O> {
  let extended = hinted.get(signature);
  if (!extended) {
    extended = signature.appendInput('hint_', z.string(), {
      description: 'Advice from earlier attempts at this task; follow it.',
      prefix: 'Hint:',
    }) as unknown as Signature<object, object>;
    hinted.set(signature, extended);
  }
  return extended as unknown as Signature<I, O>;
}

/**
 * The basic predictor: formats its signature, demos and inputs with an adapter, calls the LM,
 * and returns a typed prediction. Its instructions and demos are the program's learnable parameters.
 */
export class Predict<S extends SignatureLike = Signature> extends Module<In<S>, Prediction<Out<S>>> implements PredictorLike {
  signature: Signature<In<S>, Out<S>>;
  private demoList: Record<string, unknown>[] = [];
  config: LMCallConfig;
  lm: LanguageModel | undefined;
  adapter: Adapter | undefined;

  constructor(signature: S, options: PredictOptions<In<S>, Out<S>> = {}) {
    super();
    this.signature = toSignature(signature) as Signature<In<S>, Out<S>>;
    this.demos = options.demos ? options.demos.map((d) => ({ ...demoRecord(d) })) : [];
    this.config = { ...options.config };
    this.lm = options.lm;
    this.adapter = options.adapter;
  }

  /** The demos, as plain records. */
  get demos(): Record<string, unknown>[] {
    return this.demoList;
  }

  /** Accepts plain records and `Example`s (used as their data, as DSPy does). */
  set demos(value: ReadonlyArray<Record<string, unknown> | Example<object>>) {
    this.demoList = value.map(demoRecord);
  }

  get isPredictor(): true {
    return true;
  }

  get instructions(): string {
    return this.signature.instructions;
  }

  set instructions(text: string) {
    this.signature = this.signature.withInstructions(text);
  }

  protected override ownTextParameters(): Record<string, TextParameter> {
    return { '': { get: () => this.instructions, set: (v) => (this.instructions = v) } };
  }

  async forward(inputs: In<S>, options: CallOptions = {}): Promise<Prediction<Out<S>>> {
    const name = predictorNameInScope(this);
    const settings = currentSettings();
    const lm = this.lm ?? settings.lm;
    if (!lm) throw new LMNotConfiguredError(name);
    const adapter = resolveAdapter(this.adapter, chatAdapter);
    const values = this.checkInputs(inputs as Record<string, unknown>, name);
    const config = { ...this.config, ...settings.config, ...options.config };
    const hint = settings.hints?.get(this);
    const signature = hint === undefined ? this.signature : withHint(this.signature);
    if (hint !== undefined) values.hint_ = hint;
    try {
      const response = await adapter.call({
        lm,
        signature,
        demos: this.demos,
        inputs: values,
        config,
        predictorName: name,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const outputs = response.outputs as Out<S>[];
      const first = outputs[0] as Out<S>;
      recordTrace({
        predictorName: name,
        predictor: this,
        inputs: values,
        outputs: first as Record<string, unknown>,
        messages: response.messages,
        rawCompletion: response.rawCompletions[0] ?? '',
        ...(response.usage ? { usage: response.usage } : {}),
      });
      return makePrediction(first, outputs, response.usage);
    } catch (error) {
      if (error instanceof AdapterParseError) {
        recordTrace({
          predictorName: name,
          predictor: this,
          inputs: values,
          outputs: {},
          messages: error.messages ?? [],
          rawCompletion: error.rawReply,
          error,
          ...(error.usage ? { usage: error.usage } : {}),
        });
      }
      throw error;
    }
  }

  /** Forgets learned demos; instructions, config and the predictor's own LM stay. */
  reset(): void {
    this.demos = [];
  }

  dumpPredictorState(): PredictorState {
    return {
      signature: this.signature.toJSON(),
      instructions: this.instructions,
      demos: this.demos.map((d) => ({ ...d })),
      config: { ...this.config },
    };
  }

  loadPredictorState(state: PredictorState, name: string): void {
    this.checkPredictorState(state, name)();
  }

  /**
   * Validates a saved state against this predictor without changing it; returns the function that applies it.
   * Programs check every predictor first and apply only when all fit (loading is all-or-nothing).
   */
  checkPredictorState(state: PredictorState, name: string): () => void {
    const saved = Signature.fromJSON(state.signature);
    if (saved.shape !== this.signature.shape) {
      throw new StateMismatchError(
        `Predictor "${name}": saved signature is "${saved.shape}" but the program's is "${this.signature.shape}". Load the state into the program it was saved from.`,
      );
    }
    // Keep the program's own zod schemas; take the learned texts (instructions, prefixes, descriptions) from the file.
    let signature = this.signature.withInstructions(state.instructions);
    for (const field of saved.fields) {
      const own = signature.field(field.name);
      if (own && (own.prefix !== field.prefix || own.description !== field.description)) {
        signature = signature.withFieldTexts(field.name, { prefix: field.prefix, description: field.description });
      }
    }
    const demos = state.demos.map((d) => ({ ...d }));
    const config = { ...state.config } as LMCallConfig;
    return () => {
      this.signature = signature;
      this.demos = demos;
      this.config = config;
    };
  }

  /** Validates inputs against the signature and drops keys it does not know. */
  private checkInputs(inputs: Record<string, unknown>, name: string): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      throw new InputValidationError(
        `Predictor "${name}" (${this.signature.shape}) takes one object of named inputs, e.g. { ${this.signature.inputFields[0]?.name}: … }; got ${JSON.stringify(inputs)}.`,
      );
    }
    for (const field of this.signature.inputFields) {
      const value = inputs[field.name];
      const checked = field.schema.safeParse(value);
      if (checked.success) {
        // A missing input takes its zod `.default()`, as DSPy's InputField(default=…) does.
        if (checked.data !== undefined) values[field.name] = checked.data;
      } else if (value === undefined) {
        problems.push(`missing "${field.name}"`);
      } else if (valueKind(field.schema) === 'string' && isJsonValue(value)) {
        // String (and untyped) fields take any JSON value, as in DSPy: lists render as numbered items, the rest as JSON.
        values[field.name] = value;
      } else {
        problems.push(`"${field.name}": ${checked.error.issues.map((i) => i.message).join('; ')}`);
      }
    }
    if (problems.length) {
      throw new InputValidationError(
        `Predictor "${name}" (${this.signature.shape}) got invalid inputs: ${problems.join(', ')}. Got keys: ${Object.keys(inputs).join(', ') || '(none)'}.`,
      );
    }
    return values;
  }
}

function isJsonValue(value: unknown): boolean {
  if (value === null || ['number', 'boolean', 'string'].includes(typeof value)) return true;
  if (Array.isArray(value)) return true;
  return typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}
