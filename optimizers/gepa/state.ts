import { z } from 'zod';
import { RunDirCorruptError, RunDirMismatchError } from './errors.js';
import type { Candidate, DataId } from './types.js';

export const STATE_FORMAT = 'tsdspy.gepa-state';
export const STATE_VERSION = 1;

const dataId = z.union([z.string(), z.number()]);

const samplerStateSchema = z.object({ epoch: z.number(), order: z.array(dataId), cursor: z.number() });
export type SamplerState = z.infer<typeof samplerStateSchema>;

const cacheEntrySchema = z.object({ score: z.number(), objectives: z.record(z.string(), z.number()).optional() });
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

export const engineStateSchema = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  /** Fingerprint of the seed candidate, train ids and val ids: a run dir is only resumed by the same run. */
  fingerprint: z.string(),
  seed: z.number(),
  iteration: z.number(),
  candidates: z.array(z.record(z.string(), z.string())),
  parents: z.array(z.array(z.number())),
  valIds: z.array(dataId),
  /** `valScores[c][v]`: candidate c's score on valIds[v]. */
  valScores: z.array(z.array(z.number())),
  valObjectiveScores: z.array(z.array(z.record(z.string(), z.number())).nullable()),
  aggregates: z.array(z.number()),
  discoveryEvalCounts: z.array(z.number()),
  totalMetricCalls: z.number(),
  numFullValEvals: z.number(),
  rngState: z.number(),
  sampler: samplerStateSchema.nullable(),
  componentCursor: z.array(z.number()),
  merge: z.object({
    due: z.number(),
    tested: z.number(),
    lastIterFoundNew: z.boolean(),
    triedTriplets: z.array(z.string()),
    triedDescriptions: z.array(z.string()),
  }),
  bestAggregate: z.number(),
  iterationsWithoutImprovement: z.number(),
  reflectionCost: z.number(),
  cache: z.record(z.string(), cacheEntrySchema).nullable(),
  /** Per val instance, the outputs of the best candidates so far (when tracked). */
  bestOutputs: z.array(z.array(z.object({ candidate: z.number(), output: z.unknown() }))).nullable(),
  stopReason: z.string().nullable(),
  /** The metric-call limit in force when an evaluation no longer fitted; resuming under the same limit stops at once. */
  exhaustedLimit: z.number().nullable(),
});

export type EngineState = z.infer<typeof engineStateSchema> & { candidates: Candidate[]; valIds: DataId[] };

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** A stable text key for a candidate (component order does not matter). */
export function candidateKey(candidate: Candidate): string {
  return JSON.stringify(
    Object.keys(candidate)
      .sort()
      .map((k) => [k, candidate[k]]),
  );
}

/** FNV-1a over a string, as 8 hex digits: a short, stable fingerprint. */
export function fingerprintOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function runFingerprint(seedCandidate: Candidate, trainIds: readonly DataId[], valIds: readonly DataId[]): string {
  return fingerprintOf(JSON.stringify([candidateKey(seedCandidate), trainIds, valIds]));
}

/** Validates the shape and the consistency of a state read from disk (`where` names the file in errors). */
export function validateEngineState(raw: unknown, where: string): EngineState {
  const format = (raw as { format?: unknown; version?: unknown } | null) ?? {};
  if (format.format !== STATE_FORMAT || format.version !== STATE_VERSION) {
    throw new RunDirMismatchError(
      `${where} holds ${String(format.format)} v${String(format.version)}, but this version of tsdspy reads ${STATE_FORMAT} v${STATE_VERSION}. Use a new runDir.`,
    );
  }
  const parsed = engineStateSchema.safeParse(raw);
  if (!parsed.success) throw new RunDirCorruptError(where, `not a valid state: ${z.prettifyError(parsed.error)}`);
  const state = parsed.data as EngineState;
  const problem = inconsistency(state);
  if (problem) throw new RunDirCorruptError(where, `inconsistent state: ${problem}`);
  return state;
}

/** What makes a well-formed state impossible (counts, lengths, parents, sums), or undefined when it is consistent. */
function inconsistency(s: EngineState): string | undefined {
  const n = s.candidates.length;
  const counts = { iteration: s.iteration, totalMetricCalls: s.totalMetricCalls, numFullValEvals: s.numFullValEvals };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0) return `${name} is ${value}, not a non-negative integer`;
  }
  if (s.reflectionCost < 0 || s.iterationsWithoutImprovement < 0) return 'a negative counter';
  if (s.merge.due < 0 || s.merge.tested < 0) return 'a negative merge counter';
  const perCandidate = {
    parents: s.parents,
    valScores: s.valScores,
    valObjectiveScores: s.valObjectiveScores,
    aggregates: s.aggregates,
    discoveryEvalCounts: s.discoveryEvalCounts,
    componentCursor: s.componentCursor,
  };
  for (const [name, list] of Object.entries(perCandidate)) {
    if (list.length !== n) return `${n} candidates but ${list.length} entries in ${name}`;
  }
  if (n > 0 && s.numFullValEvals < n) return `${n} candidates but only ${s.numFullValEvals} full validation runs`;
  const width = s.valIds.length;
  for (let c = 0; c < n; c++) {
    const parents = s.parents[c] as number[];
    if (parents.some((p) => !Number.isInteger(p) || p < 0 || p >= c))
      return `candidate ${c} has parents [${parents}] out of range`;
    const scores = s.valScores[c] as number[];
    if (scores.length !== width) return `candidate ${c} has ${scores.length} validation scores for ${width} validation ids`;
    if (scores.some((x) => !Number.isFinite(x))) return `candidate ${c} has a non-finite validation score`;
    const objectives = s.valObjectiveScores[c];
    if (objectives && objectives.length !== width)
      return `candidate ${c} has ${objectives.length} objective scores for ${width} ids`;
    if (Math.abs((s.aggregates[c] as number) - mean(scores)) > 1e-9)
      return `candidate ${c}'s aggregate is not the mean of its scores`;
    const discovered = s.discoveryEvalCounts[c] as number;
    if (discovered < 0 || discovered > s.totalMetricCalls) return `candidate ${c} discovered at ${discovered} metric calls`;
  }
  if (s.sampler && (s.sampler.cursor < 0 || s.sampler.cursor > s.sampler.order.length)) return 'sampler cursor out of range';
  if (s.bestOutputs) {
    if (s.bestOutputs.length !== width) return `bestOutputs has ${s.bestOutputs.length} entries for ${width} ids`;
    if (s.bestOutputs.some((list) => list.some((o) => o.candidate < 0 || o.candidate >= n)))
      return 'bestOutputs names a missing candidate';
  }
  return undefined;
}

/** Validates a state read from disk and checks it belongs to this run. */
export function parseEngineState(raw: unknown, expected: { fingerprint: string; seed: number }, where: string): EngineState {
  const state = validateEngineState(raw, where);
  if (state.fingerprint !== expected.fingerprint) {
    throw new RunDirMismatchError(
      `${where} belongs to a different run (other seed candidate or data). Use a new runDir, or pass the same seedCandidate, trainset and valset to resume.`,
    );
  }
  if (state.seed !== expected.seed) {
    throw new RunDirMismatchError(
      `${where} was started with seed ${state.seed}, not ${expected.seed}. Pass the same seed to resume.`,
    );
  }
  return state;
}
