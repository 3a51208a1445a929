import { z } from 'zod';
import { type EvaluationBackend, withBackend } from '../../src/backends/backend.js';
import type { LanguageModel } from '../../src/lm/types.js';
import { DefaultAdapter, type DefaultDataInst, type DefaultEvaluator } from './adapters/default-adapter.js';
import { resolveData } from './data.js';
import { RemoteAdapter } from './distributed/remote-adapter.js';
import { remoteAnythingAdapter, remoteModuleAdapter } from './distributed/remote-adapters.js';
import { runKey } from './distributed/run-key.js';
import { runEngine } from './engine.js';
import { GEPAConfigError } from './errors.js';
import type { GEPACallback } from './events.js';
import type { FrontierType } from './frontier.js';
import { progressCallback } from './progress.js';
import { type ReflectFn, type ReflectionLM, toReflectFn } from './proposers/reflection-lm.js';
import { type ReflectionTemplateOption, validateReflectionTemplate } from './proposers/reflection-prompt.js';
import type { CandidateProposer } from './proposers/reflective.js';
import type { GEPAResult } from './result.js';
import { type StopCondition, stopWhen as stoppers } from './stop.js';
import { type AcceptanceCriterion, resolveAcceptance } from './strategies/acceptance.js';
import { type BatchSamplerOption, resolveBatchSampler } from './strategies/batch-sampler.js';
import { type CandidateSelectionStrategy, resolveCandidateSelector } from './strategies/candidate-selection.js';
import { type ModuleSelectorOption, resolveComponentSelector } from './strategies/component-selection.js';
import type { Candidate, DataLoader, GEPAAdapter } from './types.js';

/** Options shared by every way of running the engine (`optimize`, `GEPA.compile`, `optimizeAnything`). */
export interface EngineOptions {
  /** Hard cap on metric calls (one per example evaluated); never exceeded. */
  maxMetricCalls?: number;
  reflectionLM?: ReflectionLM;
  reflectionMinibatchSize?: number;
  candidateSelectionStrategy?: CandidateSelectionStrategy;
  frontierType?: FrontierType;
  moduleSelector?: ModuleSelectorOption;
  batchSampler?: BatchSamplerOption;
  acceptanceCriterion?: AcceptanceCriterion;
  skipPerfectScore?: boolean;
  perfectScore?: number;
  useMerge?: boolean;
  maxMergeInvocations?: number;
  mergeValOverlapFloor?: number;
  reflectionPromptTemplate?: ReflectionTemplateOption;
  customCandidateProposer?: CandidateProposer;
  cacheEvaluation?: boolean;
  /** Keep, per validation example, the outputs of the best candidates (`result.bestOutputsValset`). */
  trackBestOutputs?: boolean;
  seed?: number;
  /** Directory for state, event log and resume. An existing run dir of the same run is resumed. */
  runDir?: string;
  callbacks?: GEPACallback[];
  stopWhen?: StopCondition | StopCondition[];
  signal?: AbortSignal;
  displayProgress?: boolean;
  /** false: an iteration whose adapter or proposer throws is logged and discarded, and the run goes on. */
  raiseOnException?: boolean;
  /** Run the metric calls on workers (e.g. `redisBackend(...)`); see docs/distributed.md. */
  backend?: EvaluationBackend;
}

export interface OptimizeOptions<D, T = unknown, O = unknown> extends EngineOptions {
  seedCandidate: Candidate;
  trainset: readonly D[] | DataLoader<D>;
  /** Defaults to the trainset. */
  valset?: readonly D[] | DataLoader<D>;
  adapter?: GEPAAdapter<D, T, O>;
  /** With no adapter: the task LM of the built-in DefaultAdapter (data must be `{ input, answer }`). */
  taskLM?: LanguageModel | string;
  /** With the DefaultAdapter: scores a response and writes feedback. */
  evaluator?: DefaultEvaluator;
}

const scalarOptions = z.object({
  maxMetricCalls: z.number().int().positive().optional(),
  reflectionMinibatchSize: z.number().int().positive().optional(),
  frontierType: z.enum(['instance', 'objective', 'hybrid', 'cartesian']).optional(),
  skipPerfectScore: z.boolean().optional(),
  perfectScore: z.number().optional(),
  useMerge: z.boolean().optional(),
  maxMergeInvocations: z.number().int().nonnegative().optional(),
  mergeValOverlapFloor: z.number().int().positive().optional(),
  cacheEvaluation: z.boolean().optional(),
  trackBestOutputs: z.boolean().optional(),
  seed: z.number().int().optional(),
  runDir: z.string().min(1).optional(),
  displayProgress: z.boolean().optional(),
  raiseOnException: z.boolean().optional(),
});

/**
 * Optimizes the named text components of any system with GEPA: reflective evolution over a Pareto frontier
 * of candidates. See docs/gepa-engine.md.
 */
export async function optimize<D, T = unknown, O = unknown>(options: OptimizeOptions<D, T, O>): Promise<GEPAResult> {
  const checked = scalarOptions.safeParse(pickScalars(options));
  if (!checked.success) throw new GEPAConfigError(`Invalid GEPA options:\n${z.prettifyError(checked.error)}`);
  const seedCandidate = options.seedCandidate;
  const components = Object.keys(seedCandidate ?? {});
  if (components.length === 0) throw new GEPAConfigError('seedCandidate is empty: give at least one named text component');
  for (const [name, text] of Object.entries(seedCandidate)) {
    if (typeof text !== 'string') throw new GEPAConfigError(`seedCandidate.${name} must be a string`);
  }
  const adapter = resolveAdapter(options);
  if (options.backend) {
    const backend = options.backend;
    return withBackend(backend, () => optimize({ ...options, backend: undefined, adapter }));
  }
  validateReflectionTemplate(options.reflectionPromptTemplate, components);
  const reflect = resolveReflect(options, adapter);
  const stopConditions = [
    ...(options.maxMetricCalls !== undefined ? [stoppers.maxMetricCalls(options.maxMetricCalls)] : []),
    ...(options.stopWhen === undefined ? [] : Array.isArray(options.stopWhen) ? options.stopWhen : [options.stopWhen]),
    ...(options.signal ? [stoppers.signal(options.signal)] : []),
  ];
  if (stopConditions.filter((c) => c.name !== 'aborted').length === 0) {
    throw new GEPAConfigError('GEPA needs a budget: give maxMetricCalls and/or stopWhen, otherwise the run never ends');
  }
  const limits = stopConditions.map((c) => c.metricCallLimit).filter((n): n is number => n !== undefined);
  const train = await resolveData(options.trainset, 'trainset');
  const val = options.valset === undefined ? train : await resolveData(options.valset, 'valset');
  const callbacks = [...(options.callbacks ?? [])];
  const metricCallLimit = limits.length ? Math.min(...limits) : undefined;
  if (options.displayProgress ?? true) {
    const progress = progressCallback(metricCallLimit);
    if (progress) callbacks.push(progress);
  }
  return runEngine({
    seedCandidate,
    train,
    val,
    adapter,
    reflect,
    selector: resolveCandidateSelector(options.candidateSelectionStrategy ?? 'pareto'),
    componentSelector: resolveComponentSelector(options.moduleSelector ?? 'round_robin'),
    sampler: resolveBatchSampler(options.batchSampler ?? 'epoch_shuffled'),
    accept: resolveAcceptance(options.acceptanceCriterion ?? 'strict_improvement'),
    frontierType: options.frontierType ?? 'instance',
    minibatchSize: options.reflectionMinibatchSize ?? 3,
    skipPerfectScore: options.skipPerfectScore ?? true,
    perfectScore: options.perfectScore ?? 1,
    useMerge: options.useMerge ?? false,
    maxMergeInvocations: options.maxMergeInvocations ?? 5,
    mergeValOverlapFloor: options.mergeValOverlapFloor ?? 5,
    template: options.reflectionPromptTemplate,
    customProposer: options.customCandidateProposer,
    cacheEvaluation: options.cacheEvaluation ?? false,
    trackBestOutputs: options.trackBestOutputs ?? false,
    seed: options.seed ?? 0,
    runDir: options.runDir,
    callbacks,
    stopConditions,
    metricCallLimit,
    signal: options.signal,
    raiseOnException: options.raiseOnException ?? true,
  });
}

function pickScalars(options: object): Record<string, unknown> {
  const keys = Object.keys(scalarOptions.shape);
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => keys.includes(k) && v !== undefined));
}

function resolveAdapter<D, T, O>(options: OptimizeOptions<D, T, O>): GEPAAdapter<D, T, O> {
  const { backend } = options;
  if (backend) {
    if (options.adapter instanceof RemoteAdapter) return options.adapter;
    const key = runKey(options.runDir, options.seedCandidate, options.seed);
    if (options.adapter) return remoteModuleAdapter(backend, key, options.adapter);
    if (options.taskLM) {
      throw new GEPAConfigError(
        'With a backend, the workers evaluate: export an `evaluator(candidate, example)` (or an `adapter`) from the backend module instead of passing taskLM',
      );
    }
    const remote = remoteAnythingAdapter(backend, key, {
      stringArtifact: false,
      singleTask: false,
      failureScore: 0,
      maxSideInfoChars: 4000,
    });
    // The module's evaluator sees data instances as the engine holds them.
    return remote as unknown as GEPAAdapter<D, T, O>;
  }
  if (options.adapter) return options.adapter;
  if (!options.taskLM) {
    throw new GEPAConfigError('Give an adapter, or a taskLM to optimize a system prompt with the built-in DefaultAdapter');
  }
  const adapter = new DefaultAdapter({ taskLM: options.taskLM, ...(options.evaluator ? { evaluator: options.evaluator } : {}) });
  // The DefaultAdapter's data instances are `{ input, answer }`; the caller's D is that type in this mode.
  return adapter as unknown as GEPAAdapter<D, T, O>;
}

function resolveReflect<D, T, O>(options: OptimizeOptions<D, T, O>, adapter: GEPAAdapter<D, T, O>): ReflectFn {
  if (options.reflectionLM !== undefined) return toReflectFn(options.reflectionLM);
  if (options.customCandidateProposer || adapter.proposeNewTexts) {
    return async () => {
      throw new GEPAConfigError('No reflectionLM was given; the proposer should not need one');
    };
  }
  throw new GEPAConfigError(
    'Give a reflectionLM (an LM, "provider/model", or a function of the prompt), or a customCandidateProposer',
  );
}

export type { DefaultDataInst };
