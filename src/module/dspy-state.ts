import { z } from 'zod';
import { StateMismatchError } from '../errors/index.js';
import type { FieldJSON } from '../signature/signature.js';
import type { AnyModule, PredictorLike } from './module.js';
import { PROGRAM_STATE_FORMAT, PROGRAM_STATE_VERSION, type PredictorState, type ProgramState } from './state.js';

/** A saved DSPy program (`program.save("x.json")` in DSPy) that cannot be mapped onto this tsdspy program. */
export class DSPyStateMismatchError extends StateMismatchError {}

/** One predictor as DSPy saves it: `Predict.dump_state()`. Fields are listed inputs first, by prefix and description. */
const dspyPredictorSchema = z.object({
  demos: z.array(z.record(z.string(), z.unknown())),
  signature: z.object({
    instructions: z.string(),
    fields: z.array(z.object({ prefix: z.string(), description: z.string() })),
  }),
  traces: z.array(z.unknown()).optional(),
  train: z.array(z.unknown()).optional(),
  lm: z.unknown().optional(),
});
type DSPyPredictor = z.infer<typeof dspyPredictorSchema>;

/** Keys DSPy adds to demos for its own bookkeeping. */
const DSPY_DEMO_KEYS = new Set(['augmented', 'dspy_uuid', 'dspy_split']);

/** True for a DSPy saved-state document (a bare predictor state, or predictor states by name plus `metadata`). */
export function isDSPyState(raw: unknown): raw is Record<string, unknown> {
  if (!isRecord(raw) || 'format' in raw) return false;
  if (isRecord(raw.signature) && Array.isArray(raw.demos)) return true;
  const entries = Object.entries(raw).filter(([key]) => key !== 'metadata');
  return entries.length > 0 && entries.every(([, v]) => isRecord(v) && isRecord(v.signature) && Array.isArray(v.demos));
}

/**
 * Turns DSPy's saved state into this program's state: predictors matched by name (`extract.predict` ↔ `extract`:
 * DSPy wraps some predictors in a ChainOfThought that tsdspy does not), signature instructions, field prefixes and
 * descriptions (fields matched by name, else by position), and demos. LM settings in the file are ignored.
 * Throws {@link DSPyStateMismatchError} naming every predictor or field that does not map.
 */
export function fromDSPyState(program: AnyModule, raw: Record<string, unknown>): ProgramState {
  const saved: Record<string, unknown> =
    isRecord(raw.signature) && Array.isArray(raw.demos)
      ? { self: raw }
      : Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'metadata'));
  const ours = new Map(program.namedPredictors());
  const predictors: Record<string, PredictorState> = {};
  const problems: string[] = [];
  const matched = new Set<string>();
  for (const [dspyName, value] of Object.entries(saved)) {
    const parsed = dspyPredictorSchema.safeParse(value);
    if (!parsed.success) {
      problems.push(`"${dspyName}" is not a DSPy predictor state (${z.prettifyError(parsed.error).replace(/\n/g, ' ')})`);
      continue;
    }
    const name = matchPredictor(dspyName, ours, ours.size === 1);
    if (!name) {
      problems.push(`DSPy predictor "${dspyName}" has no counterpart (this program has: ${[...ours.keys()].join(', ')})`);
      continue;
    }
    matched.add(name);
    const predictor = ours.get(name) as AnyModule & PredictorLike;
    const state = convertPredictor(predictor.dumpPredictorState(), parsed.data, dspyName, problems);
    if (state) predictors[name] = state;
  }
  const unmatched = [...ours.keys()].filter((n) => !matched.has(n));
  if (unmatched.length) problems.push(`no saved state for predictor(s) ${unmatched.join(', ')}`);
  if (problems.length) {
    throw new DSPyStateMismatchError(
      `This DSPy saved program does not map onto the tsdspy program:\n- ${problems.join('\n- ')}\nBuild the tsdspy program with the same predictors (names and fields) as the DSPy one, then load again.`,
    );
  }
  const metadata = isRecord(raw.metadata) ? { dspy: raw.metadata } : {};
  return { format: PROGRAM_STATE_FORMAT, version: PROGRAM_STATE_VERSION, predictors, metadata };
}

function matchPredictor(dspyName: string, ours: Map<string, unknown>, single: boolean): string | undefined {
  if (ours.has(dspyName)) return dspyName;
  const trimmed = dspyName.replace(/\.predict$/, '');
  if (ours.has(trimmed)) return trimmed;
  if (ours.has(`${dspyName}.predict`)) return `${dspyName}.predict`;
  if (single && (dspyName === 'self' || dspyName === 'predict')) return [...ours.keys()][0];
  return undefined;
}

function convertPredictor(
  current: PredictorState,
  saved: DSPyPredictor,
  dspyName: string,
  problems: string[],
): PredictorState | undefined {
  const fields = [...current.signature.inputs, ...current.signature.outputs];
  const byName = new Map(fields.map((f) => [f.name, f]));
  const updates = new Map<string, { prefix: string; description: string | undefined }>();
  const before = problems.length;
  saved.signature.fields.forEach((field, i) => {
    const name = fieldName(field, byName, fields.length === saved.signature.fields.length ? fields[i]?.name : undefined);
    if (!name) {
      problems.push(
        `"${dspyName}": DSPy field ${i + 1} (prefix "${field.prefix}") matches no field of ${fields.map((f) => f.name).join(', ')}`,
      );
      return;
    }
    const isDefault = /^\$\{\w+\}$/.test(field.description);
    updates.set(name, { prefix: field.prefix, description: isDefault ? byName.get(name)?.description : field.description });
  });
  if (problems.length > before) return undefined;
  const patch = (f: FieldJSON): FieldJSON => {
    const u = updates.get(f.name);
    if (!u) return f;
    const { description: _old, ...rest } = f;
    return { ...rest, prefix: u.prefix, ...(u.description === undefined ? {} : { description: u.description }) };
  };
  return {
    ...current,
    instructions: saved.signature.instructions,
    signature: {
      instructions: saved.signature.instructions,
      inputs: current.signature.inputs.map(patch),
      outputs: current.signature.outputs.map(patch),
    },
    demos: saved.demos.map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !DSPY_DEMO_KEYS.has(k)))),
  };
}

/** `${name}` descriptions name the field; else the prefix (`Next Tool Args:` → `next_tool_args`); else the position. */
function fieldName(
  field: { prefix: string; description: string },
  byName: Map<string, FieldJSON>,
  positional: string | undefined,
): string | undefined {
  const fromDescription = /^\$\{(\w+)\}$/.exec(field.description)?.[1];
  if (fromDescription && byName.has(fromDescription)) return fromDescription;
  const fromPrefix = field.prefix
    .split(':')[0]
    ?.trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\s+/g, '_');
  if (fromPrefix && byName.has(fromPrefix)) return fromPrefix;
  return positional;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
