import { z } from 'zod';
import { withBackend } from '../../../src/backends/backend.js';
import type { FailureSummary } from '../../../src/evaluate/failures.js';
import { emptyUsage, type RunUsage } from '../../../src/lm/usage-meter.js';
import { validateOptions, zFunction } from '../../../src/options/validate.js';
import { remoteAnythingAdapter } from '../distributed/remote-adapters.js';
import { runKey } from '../distributed/run-key.js';
import { AdapterEvaluationError, GEPAConfigError } from '../errors.js';
import { type EngineOptions, engineOptionsShape, optimize } from '../optimize.js';
import { type ReflectionLM, toReflectFn } from '../proposers/reflection-lm.js';
import { extractFencedText } from '../proposers/reflection-prompt.js';
import { announceReport } from '../report/announce.js';
import type { GEPAResult } from '../result.js';
import type { Candidate, DataLoader } from '../types.js';
import {
  AnythingAdapter,
  type Artifact,
  type BatchEvaluator,
  type Evaluator,
  EvaluatorResultError,
  STRING_COMPONENT,
} from './adapter.js';
import { captureConsoleIntoLogs } from './log.js';

/** The artifact type the evaluator sees for a seed of type `S`: `string` for a string seed, else the record. */
export type ArtifactOf<S> = S extends string ? string : { [K in keyof S]: string };

export interface OptimizeAnythingOptions<E, S extends string | Record<string, string> = string>
  extends Omit<EngineOptions, 'reflectionLM'> {
  /** The artifact to improve: a string, a `{ component: text }` record, or omitted to have the reflection LM write one. */
  seedCandidate?: S;
  /** `(candidate)` in single-task mode, `(candidate, example)` with a dataset; returns score, [score, info] or { score, info }. */
  evaluator?: Evaluator<E, ArtifactOf<S>>;
  batchEvaluator?: BatchEvaluator<E, ArtifactOf<S>>;
  /** Examples the artifact must do well on (reflection minibatches come from here). Omit for a single task. */
  dataset?: readonly E[] | DataLoader<E>;
  /** Defaults to the dataset. */
  valset?: readonly E[] | DataLoader<E>;
  /** Scored for the seed and the best candidate after the run, outside the budget. */
  testSet?: readonly E[];
  objective?: string;
  background?: string;
  reflectionLM: ReflectionLM;
  /** Evaluations run at once (default 4). */
  concurrency?: number;
  /** Score of an evaluation that threw or timed out (default 0). */
  failureScore?: number;
  /** Cut an evaluation that runs longer and score it as a failure with a timeout note. */
  evaluationTimeoutMs?: number;
  /** Also record the evaluator's console output as side information. */
  captureConsole?: boolean;
  /** Characters of logs and of info shown to reflection per evaluation (default 4,000 each). */
  maxSideInfoChars?: number;
}

export interface OptimizeAnythingResult<A extends Artifact = Artifact> {
  /** A string when the seed was a string (or omitted), else the component record. */
  bestCandidate: A;
  bestScore: number;
  candidates: A[];
  metadata: {
    totalMetricCalls: number;
    /** Mean test score of the best candidate, when a testSet was given. */
    testScore?: number;
    seedTestScore?: number;
    /** The artifact the reflection LM wrote when no seed was given. */
    generatedSeed?: string;
  };
  /** LM usage of the run: the evaluator's LM calls (`task`) and reflection (`proposer`). */
  usage: RunUsage;
  /** Failures over the full valset evaluations (absent when none failed). */
  errors?: FailureSummary;
  /** The engine's full result. */
  gepa: GEPAResult;
}

const anythingSchema = z.object({
  ...engineOptionsShape,
  seedCandidate: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  evaluator: zFunction.optional(),
  batchEvaluator: zFunction.optional(),
  dataset: z.unknown().optional(),
  valset: z.unknown().optional(),
  testSet: z.array(z.unknown()).optional(),
  objective: z.string().optional(),
  background: z.string().optional(),
  concurrency: z.number().int().positive().optional(),
  failureScore: z.number().optional(),
  evaluationTimeoutMs: z.number().positive().optional(),
  captureConsole: z.boolean().optional(),
  maxSideInfoChars: z.number().int().positive().optional(),
});

/** Marks the single evaluation of single-task mode (no dataset). */
const SINGLE_TASK = [undefined] as const;

/**
 * "If you can measure it, you can optimize it": evolves any text artifact with GEPA. The evaluator's score drives
 * selection; its side information (`oa.log` lines, returned info, errors) is what the reflection LM reads.
 */
export async function optimizeAnything<E = unknown, S extends string | Record<string, string> = string>(
  options: OptimizeAnythingOptions<E, S>,
): Promise<OptimizeAnythingResult<ArtifactOf<S>>> {
  validateOptions(anythingSchema, options, (m) => new GEPAConfigError(m), 'optimizeAnything({ … })');
  const erased = options as unknown as OptimizeAnythingOptions<E, string | Record<string, string>>;
  const backend = options.backend;
  const run = () => optimizeAnythingWith(erased) as Promise<OptimizeAnythingResult<ArtifactOf<S>>>;
  if (backend) return withBackend(backend, run);
  return run();
}

async function optimizeAnythingWith<E>(
  options: OptimizeAnythingOptions<E, string | Record<string, string>>,
): Promise<OptimizeAnythingResult> {
  const {
    seedCandidate,
    evaluator,
    batchEvaluator,
    dataset,
    valset,
    testSet,
    objective,
    background,
    reflectionLM,
    concurrency,
    failureScore,
    evaluationTimeoutMs,
    captureConsole,
    maxSideInfoChars,
    ...engineOptions
  } = options;
  const { backend } = engineOptions;
  if (!evaluator && !batchEvaluator && !backend) {
    throw new GEPAConfigError('optimizeAnything needs an evaluator (or a batchEvaluator), or a backend whose module exports one');
  }
  if (backend && (evaluator || batchEvaluator)) {
    throw new GEPAConfigError(
      "With a backend the workers run the module's exported `evaluator`: do not also pass evaluator or batchEvaluator",
    );
  }
  if (batchEvaluator && !dataset) throw new GEPAConfigError('batchEvaluator needs a dataset');
  if (captureConsole && !backend) captureConsoleIntoLogs();

  let generatedSeed: string | undefined;
  let seed: Candidate;
  const stringArtifact = seedCandidate === undefined || typeof seedCandidate === 'string';
  if (seedCandidate === undefined) {
    if (!objective)
      throw new GEPAConfigError('Without a seedCandidate, give an objective so the reflection LM can write a first candidate');
    generatedSeed = await writeSeed(reflectionLM, objective, background);
    seed = { [STRING_COMPONENT]: generatedSeed };
  } else {
    seed = typeof seedCandidate === 'string' ? { [STRING_COMPONENT]: seedCandidate } : { ...seedCandidate };
  }

  const adapterOptions = {
    stringArtifact,
    singleTask: dataset === undefined,
    failureScore: failureScore ?? 0,
    ...(evaluationTimeoutMs ? { evaluationTimeoutMs } : {}),
    maxSideInfoChars: maxSideInfoChars ?? 4000,
  };
  const adapter = backend
    ? remoteAnythingAdapter<E>(backend, runKey(engineOptions.runDir, seed, engineOptions.seed), {
        ...adapterOptions,
        ...(captureConsole ? { captureConsole } : {}),
      })
    : new AnythingAdapter<E>({
        ...(evaluator ? { evaluator: evaluator as Evaluator<E> } : {}),
        ...(batchEvaluator ? { batchEvaluator: batchEvaluator as BatchEvaluator<E> } : {}),
        concurrency: concurrency ?? 4,
        ...adapterOptions,
      });
  const trainset = (dataset ?? SINGLE_TASK) as readonly (E | undefined)[] | DataLoader<E | undefined>;
  const gepa = await unwrapEvaluatorErrors(() =>
    optimize<E | undefined>(
      {
        ...engineOptions,
        seedCandidate: seed,
        trainset,
        ...(valset ? { valset: valset as readonly (E | undefined)[] | DataLoader<E | undefined> } : {}),
        adapter,
        reflectionLM,
        reflectionMinibatchSize: engineOptions.reflectionMinibatchSize ?? (dataset ? 3 : 1),
        reflectionPromptTemplate: engineOptions.reflectionPromptTemplate ?? anythingTemplate(objective, background),
        // Python gepa's optimize_anything defaults: scores may be on any scale, so "perfect" means nothing unless the
        // user says what it is; and info.scores objectives shape parent selection.
        skipPerfectScore: engineOptions.skipPerfectScore ?? engineOptions.perfectScore !== undefined,
        frontierType: engineOptions.frontierType ?? 'hybrid',
      },
      { where: 'optimizeAnything', label: 'optimizeAnything' },
    ),
  );

  const result: OptimizeAnythingResult = {
    bestCandidate: adapter.artifact(gepa.bestCandidate),
    bestScore: gepa.bestScore,
    candidates: gepa.candidates.map((c) => adapter.artifact(c)),
    metadata: { totalMetricCalls: gepa.totalMetricCalls, ...(generatedSeed !== undefined ? { generatedSeed } : {}) },
    usage: gepa.usage ?? emptyUsage(),
    ...(gepa.errors ? { errors: gepa.errors } : {}),
    gepa,
  };
  if (testSet?.length) {
    // Outside the budget: the test set never influences the search.
    const mean = async (candidate: Candidate) => {
      const run = await adapter.evaluate(testSet, candidate, false);
      return run.scores.reduce((a, b) => a + b, 0) / run.scores.length;
    };
    result.metadata.testScore = await mean(gepa.bestCandidate);
    result.metadata.seedTestScore = await mean(seed);
  }
  if (gepa.runDir) announceReport(gepa.runDir);
  return result;
}

/** An evaluator's bad return value surfaces as its own named error, not wrapped as an adapter failure. */
async function unwrapEvaluatorErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AdapterEvaluationError && error.cause instanceof EvaluatorResultError) throw error.cause;
    throw error;
  }
}

/** The reflection prompt: objective, background, the current artifact, and each evaluation's score, logs and info. */
export function anythingTemplate(objective?: string, background?: string): string {
  return [
    'You are improving a text artifact by studying how it was evaluated.',
    objective ? `\n## Objective\n${escapePlaceholders(objective)}` : '',
    background ? `\n## Background\n${escapePlaceholders(background)}` : '',
    '\n## Current artifact\n```\n<curr_param>\n```',
    '\n## Evaluations\nEach evaluation shows its score (higher is better) and the side information it produced: logs, errors, measurements.\n\n<side_info>',
    '\n## Your task\nFind what limits the score: errors to fix, constraints that were violated, measurements that can be improved. Then write an improved version of the whole artifact that keeps what works. Put the complete new artifact inside one ``` block, and nothing else in the block.',
  ].join('\n');
}

/** User text must not be mistaken for the template's own placeholders. */
function escapePlaceholders(text: string): string {
  return text.replace(/<curr_param>/g, '<curr-param>').replace(/<side_info>/g, '<side-info>');
}

async function writeSeed(reflectionLM: ReflectionLM, objective: string, background?: string): Promise<string> {
  const prompt = [
    'Write a first version of a text artifact for this objective.',
    `\n## Objective\n${objective}`,
    background ? `\n## Background\n${background}` : '',
    '\nPut the complete artifact inside one ``` block.',
  ].join('\n');
  const reply = await toReflectFn(reflectionLM)(prompt);
  const text = extractFencedText(reply.text);
  if (!text)
    throw new GEPAConfigError('The reflection LM wrote an empty seed candidate; give a seedCandidate or a clearer objective');
  return text;
}
