import { z } from 'zod';
import { InvalidStateError, StateMismatchError } from '../errors/index.js';
import { type SignatureJSON, signatureJSONSchema } from '../signature/signature.js';
import type { AnyModule } from './module.js';

export const PROGRAM_STATE_FORMAT = 'tsdspy.program';
export const PROGRAM_STATE_VERSION = 1;

const lmConfigSchema = z
  .object({
    temperature: z.number().optional(),
    maxTokens: z.number().optional(),
    n: z.number().optional(),
    stop: z.array(z.string()).optional(),
    topP: z.number().optional(),
    seed: z.number().optional(),
    logprobs: z.boolean().optional(),
    topLogprobs: z.number().optional(),
    reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
    rolloutId: z.union([z.number(), z.string()]).optional(),
    timeoutMs: z.number().optional(),
  })
  .strict();

const predictorStateSchema = z.object({
  signature: signatureJSONSchema,
  instructions: z.string(),
  demos: z.array(z.record(z.string(), z.unknown())),
  config: lmConfigSchema,
});

export const programStateSchema = z.object({
  format: z.literal(PROGRAM_STATE_FORMAT),
  version: z.literal(PROGRAM_STATE_VERSION),
  predictors: z.record(z.string(), predictorStateSchema),
  /** Text parameters that are not predictor instructions (tool descriptions, …), by dotted name. */
  parameters: z.record(z.string(), z.string()).optional(),
  metadata: z.record(z.string(), z.unknown()),
});

export type PredictorState = z.infer<typeof predictorStateSchema> & { signature: SignatureJSON };
export type ProgramState = z.infer<typeof programStateSchema> & { predictors: Record<string, PredictorState> };

const programMetadata = new WeakMap<object, Record<string, unknown>>();

/** Metadata saved with a program (e.g. which optimizer produced it); kept by `clone()`. */
export function setProgramMetadata(program: object, metadata: Record<string, unknown>): void {
  programMetadata.set(program, { ...programMetadata.get(program), ...metadata });
}

export function programMetadataOf(program: object): Record<string, unknown> | undefined {
  return programMetadata.get(program);
}

/**
 * Behaviour an optimizer attaches to a compiled program beyond its parameters (e.g. KNNFewShot's per-call demo
 * search), restored by `load()` from the metadata entry of the same name.
 */
export type StateExtension = (program: AnyModule, saved: unknown) => void;

const stateExtensions = new Map<string, StateExtension>();

/** Registers how `load()` restores the metadata entry `key` onto a program. */
export function registerStateExtension(key: string, apply: StateExtension): void {
  stateExtensions.set(key, apply);
}

/** Runs the registered extensions for the metadata entries a loaded state carries. */
export function applyStateExtensions(program: AnyModule, metadata: Record<string, unknown>): void {
  for (const [key, apply] of stateExtensions) {
    if (metadata[key] !== undefined) {
      apply(program, metadata[key]);
      setProgramMetadata(program, { [key]: metadata[key] });
    }
  }
}

export function dumpProgramState(program: AnyModule, metadata: Record<string, unknown>): ProgramState {
  const predictors: Record<string, PredictorState> = {};
  const predictorNames = new Set<string>();
  for (const [name, predictor] of program.namedPredictors()) {
    predictors[name] = predictor.dumpPredictorState();
    predictorNames.add(name);
  }
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(program.namedParameters())) {
    if (!predictorNames.has(name)) parameters[name] = value;
  }
  return {
    format: PROGRAM_STATE_FORMAT,
    version: PROGRAM_STATE_VERSION,
    predictors,
    ...(Object.keys(parameters).length ? { parameters } : {}),
    metadata: { savedAt: new Date().toISOString(), ...programMetadata.get(program), ...metadata },
  };
}

export function parseProgramState(raw: unknown): ProgramState {
  const parsed = programStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidStateError(
      `Not a valid ${PROGRAM_STATE_FORMAT} v${PROGRAM_STATE_VERSION} document:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data as ProgramState;
}

/** Applies a parsed state, refusing (before changing anything) when predictor names differ. */
export function applyState(program: AnyModule, state: ProgramState): void {
  const predictors = program.namedPredictors();
  const have = new Set(predictors.map(([name]) => name));
  const saved = new Set(Object.keys(state.predictors));
  const missing = [...have].filter((n) => !saved.has(n));
  const extra = [...saved].filter((n) => !have.has(n));
  if (missing.length || extra.length) {
    throw new StateMismatchError(
      `Saved state does not match this program's predictors.${missing.length ? ` Not in the file: ${missing.join(', ')}.` : ''}${
        extra.length ? ` Not in the program: ${extra.join(', ')}.` : ''
      } Load the state into the program it was saved from.`,
    );
  }
  // All-or-nothing: check every predictor and parameter first, then apply.
  const apply = predictors.map(([name, predictor]) =>
    predictor.checkPredictorState(state.predictors[name] as PredictorState, name),
  );
  if (state.parameters) {
    const known = program.textParameters();
    const unknown = Object.keys(state.parameters).filter((n) => !known.has(n));
    if (unknown.length) throw new StateMismatchError(`Saved parameters not in this program: ${unknown.join(', ')}`);
  }
  for (const fn of apply) fn();
  if (state.parameters) program.setParameters(state.parameters);
}
