import { z } from 'zod';

/**
 * The zod schema of one line of events.jsonl (schema version 1, see docs/run-dir.md). Objects are loose: newer
 * writers may add fields, and readers keep them.
 */
const dataId = z.union([z.string(), z.number()]);
const candidate = z.record(z.string(), z.string());
const base = { v: z.number().int().positive(), time: z.string(), iteration: z.number().int().nonnegative() };

export const lmUsageSchema = z.looseObject({
  calls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cost: z.number(),
});

export const runConfigSchema = z.looseObject({
  seedCandidate: candidate,
  trainIds: z.array(dataId),
  valIds: z.array(dataId),
  maxMetricCalls: z.number().nullable(),
  stopConditions: z.array(z.string()),
  minibatchSize: z.number(),
  frontierType: z.string(),
  candidateSelection: z.string(),
  componentSelection: z.string(),
  batchSampler: z.string(),
  skipPerfectScore: z.boolean(),
  perfectScore: z.number(),
  useMerge: z.boolean(),
  maxMergeInvocations: z.number(),
  mergeValOverlapFloor: z.number(),
  cacheEvaluation: z.boolean(),
  trackBestOutputs: z.boolean(),
  raiseOnException: z.boolean(),
  proposer: z.enum(['reflection', 'adapter', 'custom']),
  adapter: z.string(),
  seed: z.number(),
});

const reflectionExchange = z.looseObject({
  component: z.string(),
  prompt: z.string(),
  reply: z.string(),
  cost: z.number(),
});

export const runDirEventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    ...base,
    type: z.literal('runStart'),
    resumed: z.boolean(),
    trainSize: z.number(),
    valSize: z.number(),
    seed: z.number(),
    config: runConfigSchema.optional(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('runEnd'),
    bestIdx: z.number(),
    bestScore: z.number(),
    totalMetricCalls: z.number(),
    stopReason: z.string(),
  }),
  z.looseObject({ ...base, type: z.literal('iterationStart') }),
  z.looseObject({
    ...base,
    type: z.literal('iterationEnd'),
    accepted: z.boolean(),
    metricCalls: z.number().optional(),
    totalMetricCalls: z.number().optional(),
    lm: z.looseObject({ task: lmUsageSchema, reflection: lmUsageSchema }).optional(),
    durationMs: z.number().optional(),
  }),
  z.looseObject({ ...base, type: z.literal('candidateSelected'), candidateIdx: z.number(), score: z.number() }),
  z.looseObject({
    ...base,
    type: z.literal('minibatchEvaluated'),
    candidateIdx: z.number().nullable(),
    ids: z.array(dataId),
    scores: z.array(z.number()),
    role: z.enum(['parent', 'child', 'merge']),
  }),
  z.looseObject({ ...base, type: z.literal('skippedPerfect'), candidateIdx: z.number() }),
  z.looseObject({
    ...base,
    type: z.literal('proposal'),
    parentIdx: z.number(),
    components: z.array(z.string()),
    texts: z.record(z.string(), z.string()),
    proposer: z.enum(['reflection', 'adapter', 'custom']).optional(),
    reflections: z.array(reflectionExchange).optional(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('candidateAccepted'),
    candidateIdx: z.number(),
    parents: z.array(z.number()),
    minibatchSum: z.number(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('candidateRejected'),
    parentSum: z.number(),
    childSum: z.number(),
    reason: z.string(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('valsetEvaluated'),
    candidateIdx: z.number(),
    score: z.number(),
    isBest: z.boolean(),
  }),
  z.looseObject({ ...base, type: z.literal('frontierUpdated'), frontier: z.array(z.number()) }),
  z.looseObject({
    ...base,
    type: z.literal('mergeAttempted'),
    parents: z.tuple([z.number(), z.number()]),
    ancestor: z.number(),
    candidate,
    ids: z.array(dataId).optional(),
    parentScores: z.tuple([z.array(z.number()), z.array(z.number())]).optional(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('mergeAccepted'),
    candidateIdx: z.number(),
    parents: z.tuple([z.number(), z.number()]),
  }),
  z.looseObject({
    ...base,
    type: z.literal('mergeRejected'),
    parents: z.tuple([z.number(), z.number()]),
    reason: z.string(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('budgetUpdated'),
    used: z.number(),
    delta: z.number(),
    remaining: z.number().nullable(),
  }),
  z.looseObject({ ...base, type: z.literal('error'), message: z.string(), willContinue: z.boolean() }),
  z.looseObject({ ...base, type: z.literal('stateSaved'), path: z.string() }),
]);

/** One validated line of events.jsonl. */
export type RunDirEvent = z.infer<typeof runDirEventSchema>;
export type RunDirEventOf<K extends RunDirEvent['type']> = Extract<RunDirEvent, { type: K }>;
