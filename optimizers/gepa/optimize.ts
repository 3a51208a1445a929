import { z } from 'zod';
import { type EvaluationBackend, withBackend } from '../../src/backends/backend.js';
import { LM } from '../../src/lm/lm.js';
import { costOf } from '../../src/lm/prices.js';
import { resolveLM } from '../../src/lm/registry.js';
import type { LanguageModel } from '../../src/lm/types.js';
import { emptyUsage, meterUsage } from '../../src/lm/usage-meter.js';
import { validateOptions, zFunction, zObject } from '../../src/options/validate.js';
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
import { GEPAResult } from './result.js';
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
  /**
   * What a failing iteration does. Default: a failed reflection LM call is logged and skipped (see
   * `maxReflectionFailures`), any other error ends the run. `true`: every error ends the run. `false`: every
   * failing iteration is logged and skipped.
   */
  raiseOnException?: boolean;
  /** Reflection LM calls that may fail in a row before the run stops with ReflectionFailedError (default 5). */
  maxReflectionFailures?: number;
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

const anyOf = z.unknown().optional();

/** Every option `optimize` accepts; unknown keys are refused with a suggestion. */
export const engineOptionsShape = {
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
  maxReflectionFailures: z.number().int().positive().optional(),
  reflectionLM: z.union([z.string(), zObject, zFunction]).optional(),
  candidateSelectionStrategy: anyOf,
  moduleSelector: anyOf,
  batchSampler: anyOf,
  acceptanceCriterion: anyOf,
  reflectionPromptTemplate: anyOf,
  customCandidateProposer: zFunction.optional(),
  callbacks: z.array(zObject).optional(),
  stopWhen: z.union([zObject, z.array(zObject)]).optional(),
  signal: zObject.optional(),
  backend: zObject.optional(),
};

const optimizeSchema = z.object({
  ...engineOptionsShape,
  seedCandidate: anyOf,
  trainset: anyOf,
  valset: anyOf,
  adapter: zObject.optional(),
  taskLM: z.union([z.string(), zObject]).optional(),
  evaluator: zFunction.optional(),
});

/**
 * Optimizes the named text components of any system with GEPA: reflective evolution over a Pareto frontier
 * of candidates. See docs/gepa-engine.md.
 */
export async function optimize<D, T = unknown, O = unknown>(
  options: OptimizeOptions<D, T, O>,
  /** Internal: how callers (GEPA.compile, optimizeAnything) name themselves in errors and stderr lines. */
  caller: { where?: string; label?: string } = {},
): Promise<GEPAResult> {
  const where = caller.where ?? 'optimize({ … })';
  validateOptions(optimizeSchema, options, (m) => new GEPAConfigError(m), where);
  const seedCandidate = options.seedCandidate;
  const components = Object.keys(seedCandidate ?? {});
  if (components.length === 0) throw new GEPAConfigError('seedCandidate is empty: give at least one named text component');
  for (const [name, text] of Object.entries(seedCandidate)) {
    if (typeof text !== 'string') throw new GEPAConfigError(`seedCandidate.${name} must be a string`);
  }
  const adapter = resolveAdapter(options);
  if (options.backend) {
    const backend = options.backend;
    return withBackend(backend, () => optimize({ ...options, backend: undefined, adapter }, caller));
  }
  validateReflectionTemplate(options.reflectionPromptTemplate, components);
  let reflect = resolveReflect(options, adapter);
  const stopConditions = [
    ...(options.maxMetricCalls !== undefined ? [stoppers.maxMetricCalls(options.maxMetricCalls)] : []),
    ...(options.stopWhen === undefined ? [] : Array.isArray(options.stopWhen) ? options.stopWhen : [options.stopWhen]),
    ...(options.signal ? [stoppers.signal(options.signal)] : []),
  ];
  if (stopConditions.filter((c) => c.name !== 'aborted').length === 0) {
    throw new GEPAConfigError('GEPA needs a budget: give maxMetricCalls and/or stopWhen, otherwise the run never ends');
  }
  reflect = checkCostCaps(stopConditions, options, adapter, reflect);
  const limits = stopConditions.map((c) => c.metricCallLimit).filter((n): n is number => n !== undefined);
  const train = await resolveData(options.trainset, 'trainset');
  const val = options.valset === undefined ? train : await resolveData(options.valset, 'valset');
  const callbacks = [...(options.callbacks ?? [])];
  const metricCallLimit = limits.length ? Math.min(...limits) : undefined;
  if (options.displayProgress ?? true) {
    const progress = progressCallback(metricCallLimit);
    if (progress) callbacks.push(progress);
  }
  const usage = emptyUsage();
  const result = await meterUsage(usage, () =>
    runEngine({
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
      raiseOnException: options.raiseOnException,
      maxReflectionFailures: options.maxReflectionFailures ?? 5,
      label: caller.label ?? 'GEPA',
    }),
  );
  return new GEPAResult({ ...result.toJSON(), usage });
}

/**
 * A money cap must be able to fire: the reflection LM has to report a cost (a priced model) or the cap gives a
 * price to count from token usage. A plain function, a custom proposer or an unpriced LM is refused up front.
 * Returns the reflect function, pricing replies from usage when the cap gave a price.
 */
function checkCostCaps<D, T, O>(
  conditions: readonly StopCondition[],
  options: OptimizeOptions<D, T, O>,
  adapter: GEPAAdapter<D, T, O>,
  reflect: ReflectFn,
): ReflectFn {
  const caps = conditions.filter((c) => c.cost !== undefined);
  if (caps.length === 0) return reflect;
  const names = caps.map((c) => c.name).join(', ');
  const refuse = (why: string) =>
    new GEPAConfigError(
      `${names} can never fire: ${why}. Use a priced LM object as reflectionLM (see setModelPrice), give the cap a price (stopWhen.maxReflectionCost(usd, { price: { input, output } }) in USD per million tokens), or drop the cap.`,
    );
  if (options.customCandidateProposer || adapter.proposeNewTexts)
    throw refuse('a custom proposer writes the candidates, so no reflection cost is measured');
  const lm = options.reflectionLM;
  if (lm === undefined || typeof lm === 'function') throw refuse('the reflection LM is a plain function that reports no cost');
  const price = caps.find((c) => c.cost?.price)?.cost?.price;
  if (price) {
    return async (prompt) => {
      const reply = await reflect(prompt);
      if (!reply.usage) throw new GEPAConfigError(`${names}: the reflection LM reported no token usage to price`);
      return { ...reply, cost: (reply.usage.inputTokens * price.input + reply.usage.outputTokens * price.output) / 1e6 };
    };
  }
  const resolved = resolveLM(lm);
  if (resolved instanceof LM) {
    const free = (resolved as unknown as { providerModule?: { free?: boolean } }).providerModule?.free === true;
    if (!free && costOf(resolved.modelName, { inputTokens: 1, outputTokens: 1 }) === undefined)
      throw refuse(`the reflection LM "${resolved.model}" has no known price`);
    return reflect;
  }
  // A custom LanguageModel may report its own cost: check the first reply instead.
  return async (prompt) => {
    const reply = await reflect(prompt);
    if (reply.cost === undefined) throw refuse(`the reflection LM "${resolved.model}" reported no cost`);
    return reply;
  };
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
