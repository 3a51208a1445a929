import { readFile, writeFile } from 'node:fs/promises';
import type { LanguageModel, LMCallConfig } from '../lm/types.js';
import { emit, newCallId } from '../settings/callbacks.js';
import { currentSettings } from '../settings/settings.js';
import { traceModuleCall } from '../telemetry/module-span.js';
import { runInNamingScope } from './call-context.js';
import { fromDSPyState, isDSPyState } from './dspy-state.js';
import {
  applyState,
  applyStateExtensions,
  dumpProgramState,
  type PredictorState,
  type ProgramState,
  parseProgramState,
  programMetadataOf,
  setProgramMetadata,
} from './state.js';
import { cloneMember, walkTree } from './walk.js';

/** Per-call options accepted by every module's `call` and `forward`. */
export interface CallOptions {
  /** LM sampling overrides for the predictors this call reaches. */
  config?: LMCallConfig;
  signal?: AbortSignal;
}

/** A named, readable and writable text parameter (an instruction, a tool description, …). */
export interface TextParameter {
  get(): string;
  set(value: string): void;
}

/** What every predictor exposes to the module tree; implemented by `Predict`. */
export interface PredictorLike {
  readonly isPredictor: true;
  demos: Record<string, unknown>[];
  lm: LanguageModel | undefined;
  reset(): void;
  dumpPredictorState(): PredictorState;
  /** Applies a saved state; `name` is used in error messages. */
  loadPredictorState(state: PredictorState, name: string): void;
  /** Validates a saved state without changing anything; returns the function that applies it. */
  checkPredictorState(state: PredictorState, name: string): () => void;
}

/**
 * Base class of every program. Subclasses implement `forward`; callers use `call`, which adds callbacks,
 * predictor naming and tracing. Submodules are found by walking the instance's own fields.
 */
export abstract class Module<I = Record<string, unknown>, O = unknown> {
  abstract forward(inputs: I, options?: CallOptions): Promise<O>;

  /** Runs the module: callbacks fire, and predictors inside learn their dotted names for traces. */
  async call(inputs: I, options?: CallOptions): Promise<O> {
    const callbacks = currentSettings().callbacks;
    const run = () =>
      traceModuleCall({ module: this, isPredictor: isPredictor(this), inputs }, () => this.forward(inputs, options));
    const names = () => new Map(this.namedPredictors().map(([name, p]) => [p as object, name]));
    if (!callbacks?.length) return runInNamingScope(names, run);
    const base = { callId: newCallId(), module: this, moduleName: this.constructor.name, inputs };
    const started = performance.now();
    emit(callbacks, 'onModuleStart', base);
    try {
      const outputs = await runInNamingScope(names, run);
      emit(callbacks, 'onModuleEnd', { ...base, outputs, durationMs: performance.now() - started });
      return outputs;
    } catch (error) {
      emit(callbacks, 'onModuleEnd', { ...base, error, durationMs: performance.now() - started });
      throw error;
    }
  }

  /** Every predictor in the tree with its stable dotted name; a predictor called on its own is `self`. */
  namedPredictors(): Array<[string, AnyModule & PredictorLike]> {
    if (isPredictor(this)) return [['self', this]];
    const found: Array<[string, AnyModule & PredictorLike]> = [];
    walkTree(this, isModule, isPredictor, (path, node) => {
      if (isPredictor(node)) found.push([path, node]);
    });
    return found;
  }

  predictors(): Array<AnyModule & PredictorLike> {
    return this.namedPredictors().map(([, p]) => p);
  }

  /** Every module in the tree (this one as `self`), with dotted names. */
  namedSubmodules(): Array<[string, AnyModule]> {
    const found: Array<[string, AnyModule]> = [['self', this]];
    walkTree(this, isModule, isPredictor, (path, node) => found.push([path, node]));
    return found;
  }

  /**
   * Text parameters this module owns directly, keyed relative to its own path (`''` is the path itself).
   * Predict contributes its instructions; modules with tools contribute their descriptions.
   */
  protected ownTextParameters(): Record<string, TextParameter> {
    return {};
  }

  /** Every optimizable text in the tree, by dotted name: what optimizers read and write. */
  textParameters(): Map<string, TextParameter> {
    const params = new Map<string, TextParameter>();
    for (const [path, module] of this.namedSubmodules()) {
      for (const [key, param] of Object.entries(module.ownTextParameters())) {
        const name = key === '' ? path : path === 'self' ? key : `${path}.${key}`;
        if (!params.has(name)) params.set(name, param);
      }
    }
    return params;
  }

  /** Current values of every text parameter. */
  namedParameters(): Record<string, string> {
    return Object.fromEntries([...this.textParameters()].map(([name, p]) => [name, p.get()]));
  }

  /** Sets text parameters by name; an unknown name is an error so typos can't pass silently. */
  setParameters(values: Record<string, string>): this {
    const params = this.textParameters();
    for (const [name, value] of Object.entries(values)) {
      const param = params.get(name);
      if (!param) throw new Error(`Unknown parameter "${name}"; known: ${[...params.keys()].join(', ')}`);
      param.set(value);
    }
    return this;
  }

  /** Sets the LM of every predictor in the tree. */
  setLM(lm: LanguageModel): this {
    for (const predictor of this.predictors()) predictor.lm = lm;
    return this;
  }

  /** A deep copy of the parameters (instructions, demos, configs, nested modules); LMs and schemas are shared. */
  clone(): this {
    return this.cloneWithMemo(new Map());
  }

  /** Clone step shared by a whole tree, so modules referenced twice stay one object in the copy. */
  protected cloneWithMemo(memo: Map<object, object>): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    memo.set(this, copy);
    const metadata = programMetadataOf(this);
    if (metadata) setProgramMetadata(copy, metadata);
    const cloneNode = (node: object) => (isModule(node) ? node.cloneWithMemo(memo) : undefined);
    for (const [key, value] of Object.entries(this)) {
      (copy as Record<string, unknown>)[key] = cloneMember(value, memo, cloneNode);
    }
    return copy;
  }

  /** A clone with every predictor's demos cleared. */
  resetCopy(): this {
    const copy = this.clone();
    for (const predictor of copy.predictors()) predictor.reset();
    return copy;
  }

  dumpState(metadata: Record<string, unknown> = {}): ProgramState {
    return dumpProgramState(this, metadata);
  }

  /**
   * Loads a state into this program, all or nothing: a tsdspy state document, or a program saved by DSPy
   * (`program.save("x.json")` in Python), whose predictors and fields are mapped by name. Throws
   * StateMismatchError (before changing anything) when names or signatures differ.
   */
  loadState(state: unknown): this {
    const parsed = isDSPyState(state) ? fromDSPyState(this, state) : parseProgramState(state);
    applyState(this, parsed);
    applyStateExtensions(this, parsed.metadata);
    return this;
  }

  async save(path: string, metadata: Record<string, unknown> = {}): Promise<void> {
    await writeFile(path, `${JSON.stringify(this.dumpState(metadata), null, 2)}\n`, 'utf8');
  }

  async load(path: string): Promise<this> {
    return this.loadState(JSON.parse(await readFile(path, 'utf8')));
  }
}

/** Any module, whatever its input and output types. */
export type AnyModule = Module<never, unknown>;

export function isModule(value: unknown): value is AnyModule {
  return value instanceof Module;
}

export function isPredictor(value: unknown): value is AnyModule & PredictorLike {
  return value instanceof Module && (value as Partial<PredictorLike>).isPredictor === true;
}
