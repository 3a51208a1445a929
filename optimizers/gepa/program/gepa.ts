import { mkdirSync } from 'node:fs';
import { z } from 'zod';
import type { EvaluationBackend } from '../../../src/backends/backend.js';
import { assertInputKeys } from '../../../src/data/example.js';
import type { Metric } from '../../../src/evaluate/metric.js';
import type { RunUsage } from '../../../src/lm/usage-meter.js';
import { logger } from '../../../src/logger/logger.js';
import type { AnyModule } from '../../../src/module/module.js';
import { setProgramMetadata } from '../../../src/module/state.js';
import { validateOptions, zFunction } from '../../../src/options/validate.js';
import { type CompileOptions, compileArgs, type ExampleLike, type Optimizer, OptimizerConfigError } from '../../optimizer.js';
import { type DefaultExample, type DefaultPrediction, eraseMetric } from '../../shared.js';
import { remoteProgramAdapter } from '../distributed/remote-adapters.js';
import { runKey } from '../distributed/run-key.js';
import { GEPAConfigError } from '../errors.js';
import { type EngineOptions, engineOptionsShape, optimize } from '../optimize.js';

import { PROGRAM_COMPONENT, PROGRAM_SOURCE_REFLECTION_TEMPLATE, ProgramSourceAdapter } from '../program-source/adapter.js';
import { ProgramSource } from '../program-source/program-source.js';
import type { ReflectionLM } from '../proposers/reflection-lm.js';
import { announceReport } from '../report/announce.js';
import type { GEPAResult } from '../result.js';
import { type ModuleSelectorOption, resolveComponentSelector } from '../strategies/component-selection.js';
import type { Candidate, GEPAAdapter } from '../types.js';
import { type InstructionProposer, isToolComponent, ProgramAdapter } from './adapter.js';
import { type AutoPreset, autoBudget } from './auto-budget.js';
import { INSTRUCTION_REFLECTION_TEMPLATE, toolTemplateFor } from './prompts.js';
import { writeSeedProgram } from './saved-program.js';

export interface GEPAOptions<E = DefaultExample, P = DefaultPrediction>
  extends Omit<EngineOptions, 'maxMetricCalls' | 'moduleSelector' | 'customCandidateProposer' | 'reflectionLM'> {
  /** A score, or better `{ score, feedback }`; GEPA passes `ctx.predName` / `ctx.predTrace` to ask about one predictor. */
  metric: Metric<E, P>;
  /** Exactly one of `auto`, `maxMetricCalls`, `maxFullEvals`. */
  auto?: AutoPreset;
  maxMetricCalls?: number;
  /** Budget as a number of full passes over train + val. */
  maxFullEvals?: number;
  reflectionLM?: ReflectionLM;
  componentSelector?: ModuleSelectorOption;
  /** Also evolve ReAct tool descriptions and argument descriptions. */
  optimizeToolDescriptions?: boolean;
  /** Show reflection the raw reply and the expected structure when a predictor's output failed to parse (default true). */
  addFormatFailureAsFeedback?: boolean;
  /** Examples run at once (default 8). */
  concurrency?: number;
  /** Score of an example whose program or metric threw (default 0). */
  failureScore?: number;
  /** Attach `detailedResults` to the compiled program (default true). */
  trackStats?: boolean;
  /** Replaces the reflection prompt: returns new texts for the components to update. */
  instructionProposer?: InstructionProposer;
  /** Warn once when a predictor-level score differs from the program-level score (default true). */
  warnOnScoreMismatch?: boolean;
}

const { moduleSelector: _m, customCandidateProposer: _c, ...sharedShape } = engineOptionsShape;
const gepaSchema = z.object({
  ...sharedShape,
  metric: zFunction,
  auto: z.enum(['light', 'medium', 'heavy']).optional(),
  maxFullEvals: z.number().positive().optional(),
  componentSelector: z.unknown().optional(),
  optimizeToolDescriptions: z.boolean().optional(),
  addFormatFailureAsFeedback: z.boolean().optional(),
  concurrency: z.number().int().positive().optional(),
  failureScore: z.number().optional(),
  trackStats: z.boolean().optional(),
  instructionProposer: zFunction.optional(),
  warnOnScoreMismatch: z.boolean().optional(),
});

/** What `compiled.detailedResults` holds when `trackStats` is on. */
export interface GEPADetailedResults<P extends AnyModule = AnyModule> {
  /** Every accepted candidate, as a program. */
  candidates: P[];
  bestIdx: number;
  valAggregateScores: number[];
  /** Parents of each candidate (`[]` for the seed, two for a merge). */
  parents: number[][];
  perValInstanceBestCandidates: number[][];
  totalMetricCalls: number;
  numFullValEvals: number;
  runDir: string | null;
  /** The engine's raw result (candidate texts, per-example scores, …). */
  result: GEPAResult;
}

export type CompiledWithGEPA<P extends AnyModule> = P & { readonly detailedResults?: GEPADetailedResults<P> };

/** The best program source found, with every candidate source when `trackStats` is on. */
export type EvolvedProgramSource = ProgramSource & {
  readonly detailedResults?: { candidates: ProgramSource[]; result: GEPAResult };
};

/**
 * GEPA for programs: evolves every predictor's instructions (and optionally ReAct tool descriptions) by reflecting
 * on the program's own traces and the metric's feedback. `compile` returns an optimized clone; the input is untouched.
 */
export class GEPA<E = DefaultExample, P = DefaultPrediction> implements Optimizer {
  readonly name = 'GEPA';
  /** The metric-call budget of the last compile (after resolving `auto` / `maxFullEvals`). */
  lastBudget?: number;
  /** Metric calls the last compile spent. */
  metricCalls = 0;
  /** LM usage of the last compile: the program's calls (`task`) and reflection's (`proposer`). */
  usage?: RunUsage;

  constructor(readonly options: GEPAOptions<E, P>) {
    if (typeof options?.metric !== 'function') {
      throw new OptimizerConfigError(
        'GEPA needs a metric: new GEPA({ metric: (example, prediction, ctx) => ({ score, feedback }) , ... })',
      );
    }
    validateOptions(gepaSchema, options, (m) => new GEPAConfigError(m), 'new GEPA({ … })');
    const budgets = (['auto', 'maxMetricCalls', 'maxFullEvals'] as const).filter((k) => options[k] !== undefined);
    if (budgets.length !== 1) {
      throw new GEPAConfigError(
        `Give exactly one of auto ('light' | 'medium' | 'heavy'), maxMetricCalls or maxFullEvals; got ${budgets.length ? budgets.join(' and ') : 'none'}.`,
      );
    }
    if (options.auto !== undefined && !['light', 'medium', 'heavy'].includes(options.auto)) {
      throw new GEPAConfigError(`auto must be 'light', 'medium' or 'heavy', not ${JSON.stringify(options.auto)}`);
    }
    // A wrong selector is refused here, before compile spends any budget.
    if (options.componentSelector !== undefined) resolveComponentSelector(options.componentSelector);
    if (!options.reflectionLM && !options.instructionProposer) {
      throw new GEPAConfigError(
        'GEPA needs a reflectionLM (e.g. new LM("openai/gpt-5", { temperature: 1 })) or an instructionProposer',
      );
    }
  }

  compile(
    program: ProgramSource,
    trainset: readonly ExampleLike[],
    valset?: readonly ExampleLike[],
  ): Promise<EvolvedProgramSource>;
  compile(program: ProgramSource, options: CompileOptions): Promise<EvolvedProgramSource>;
  compile<P extends AnyModule>(
    program: P,
    trainset: readonly ExampleLike[],
    valset?: readonly ExampleLike[],
  ): Promise<CompiledWithGEPA<P>>;
  compile<P extends AnyModule>(program: P, options: CompileOptions): Promise<CompiledWithGEPA<P>>;
  async compile<P extends AnyModule>(
    program: P | ProgramSource,
    trainsetOrOptions: readonly ExampleLike[] | CompileOptions,
    maybeValset?: readonly ExampleLike[],
  ): Promise<CompiledWithGEPA<P> | EvolvedProgramSource> {
    if (program instanceof ProgramSource) return this.compileSource(program, trainsetOrOptions, maybeValset);
    const { trainset, valset, separateVal } = this.sets(trainsetOrOptions, maybeValset);
    const o = this.options;
    const student = program.clone();
    const seedCandidate = this.seedCandidate(student);
    const budget = this.budget(student.predictors().length, trainset.length, valset.length, separateVal);
    logger.info(
      `GEPA: budget of ${budget} metric calls${o.auto ? ` (auto: '${o.auto}')` : ''} over ${Object.keys(seedCandidate).length} components.`,
    );

    const adapter = new ProgramAdapter({
      student,
      metric: eraseMetric(o.metric),
      concurrency: o.concurrency ?? 8,
      failureScore: o.failureScore ?? 0,
      addFormatFailureAsFeedback: o.addFormatFailureAsFeedback ?? true,
      warnOnScoreMismatch: o.warnOnScoreMismatch ?? true,
      ...(o.instructionProposer ? { instructionProposer: o.instructionProposer } : {}),
    });
    const { trackStats, reflectionPromptTemplate, engineOptions } = splitOptions(o);
    if (o.runDir) {
      mkdirSync(o.runDir, { recursive: true });
      writeSeedProgram(o.runDir, student);
    }
    const result = await optimize(
      {
        ...engineOptions,
        seedCandidate,
        trainset,
        valset,
        adapter: o.backend ? this.remoteAdapter(o.backend, student, seedCandidate) : adapter,
        maxMetricCalls: budget,
        moduleSelector: o.componentSelector ?? 'round_robin',
        useMerge: o.useMerge ?? true,
        reflectionPromptTemplate: reflectionPromptTemplate ?? this.templates(seedCandidate),
      },
      { where: 'GEPA.compile', label: 'GEPA' },
    );
    this.usage = result.usage;

    this.metricCalls = result.totalMetricCalls;
    const optimized = adapter.buildProgram(result.bestCandidate) as P;
    setProgramMetadata(optimized, {
      optimizer: {
        name: 'GEPA',
        options: describeOptions(o, budget),
        bestScore: result.bestScore,
        metricCalls: result.totalMetricCalls,
        candidates: result.candidates.length,
        ...(result.usage ? { usage: result.usage } : {}),
        ...(result.errors ? { errors: result.errors } : {}),
        date: new Date().toISOString(),
      },
    });
    if (trackStats ?? true) {
      const details: GEPADetailedResults<P> = {
        candidates: result.candidates.map((c) => adapter.buildProgram(c) as P),
        bestIdx: result.bestIdx,
        valAggregateScores: result.valAggregateScores,
        parents: result.parents,
        perValInstanceBestCandidates: result.perValInstanceBestCandidates,
        totalMetricCalls: result.totalMetricCalls,
        numFullValEvals: result.numFullValEvals,
        runDir: result.runDir,
        result,
      };
      // Not enumerable: the module tree walker must not mistake the candidate programs for submodules.
      Object.defineProperty(optimized, 'detailedResults', { value: details, enumerable: false, configurable: true });
    }
    if (result.runDir) announceReport(result.runDir);
    return optimized as CompiledWithGEPA<P>;
  }

  /** Evolves a whole program source: the candidate is `{ program: source }`, run in the sandbox pool. */
  private async compileSource(
    seed: ProgramSource,
    trainsetOrOptions: readonly ExampleLike[] | CompileOptions,
    maybeValset?: readonly ExampleLike[],
  ): Promise<EvolvedProgramSource> {
    const { trainset, valset, separateVal } = this.sets(trainsetOrOptions, maybeValset);
    const o = this.options;
    const budget = this.budget(1, trainset.length, valset.length, separateVal);
    logger.info(`GEPA: budget of ${budget} metric calls evolving the whole program source.`);
    const adapter = new ProgramSourceAdapter(seed, eraseMetric(o.metric), o.concurrency ?? 2, o.failureScore ?? 0);
    if (o.backend) {
      throw new GEPAConfigError(
        'GEPA with a backend optimizes programs (their instructions); evolving a whole ProgramSource on workers is not supported yet: drop backend for this mode',
      );
    }
    const { trackStats, instructionProposer, reflectionPromptTemplate, engineOptions } = splitOptions(o);
    const result = await optimize({
      ...engineOptions,
      seedCandidate: { [PROGRAM_COMPONENT]: seed.source },
      trainset,
      valset,
      adapter,
      maxMetricCalls: budget,
      useMerge: false, // one component: there is nothing to merge
      ...(instructionProposer
        ? {
            customCandidateProposer: ({ candidate, reflectiveDataset, componentsToUpdate }) =>
              instructionProposer(candidate, reflectiveDataset, componentsToUpdate),
          }
        : {}),
      reflectionPromptTemplate: reflectionPromptTemplate ?? PROGRAM_SOURCE_REFLECTION_TEMPLATE,
    });
    this.metricCalls = result.totalMetricCalls;
    this.usage = result.usage;
    const best = adapter.programFor(result.bestCandidate) as EvolvedProgramSource;
    best.metadata = {
      ...best.metadata,
      optimizer: {
        name: 'GEPA',
        mode: 'program-source',
        options: describeOptions(o, budget),
        bestScore: result.bestScore,
        seedScore: result.valAggregateScores[0],
        metricCalls: result.totalMetricCalls,
        candidates: result.candidates.length,
        date: new Date().toISOString(),
      },
    };
    if (trackStats ?? true) {
      Object.defineProperty(best, 'detailedResults', {
        value: { candidates: result.candidates.map((c) => adapter.programFor(c)), result },
        enumerable: false,
        configurable: true,
      });
    }
    if (result.runDir) announceReport(result.runDir);
    return best;
  }

  /** The program's examples run on the backend's workers (the module's program with the student's state). */
  private remoteAdapter(backend: EvaluationBackend, student: AnyModule, seedCandidate: Candidate): GEPAAdapter<ExampleLike> {
    const o = this.options;
    return remoteProgramAdapter(backend, runKey(o.runDir, seedCandidate, o.seed), {
      student,
      failureScore: o.failureScore ?? 0,
      addFormatFailureAsFeedback: o.addFormatFailureAsFeedback ?? true,
      warnOnScoreMismatch: o.warnOnScoreMismatch ?? true,
      ...(o.instructionProposer ? { instructionProposer: o.instructionProposer } : {}),
    });
  }

  private seedCandidate(student: AnyModule): Candidate {
    const predictorNames = new Set(student.namedPredictors().map(([name]) => name));
    const candidate: Candidate = {};
    for (const [name, text] of Object.entries(student.namedParameters())) {
      if (predictorNames.has(name) || (this.options.optimizeToolDescriptions && isToolComponent(name))) candidate[name] = text;
    }
    if (Object.keys(candidate).length === 0) throw new GEPAConfigError('The program has no predictors to optimize');
    return candidate;
  }

  /** Train and val sets of a compile call; without a valset the trainset doubles as one (with a warning). */
  private sets(trainsetOrOptions: readonly ExampleLike[] | CompileOptions, maybeValset?: readonly ExampleLike[]) {
    const { trainset, valset } = compileArgs(trainsetOrOptions, maybeValset);
    if (trainset.length === 0) throw new GEPAConfigError('GEPA.compile needs a non-empty trainset');
    assertInputKeys(trainset, 'GEPA.compile (trainset)');
    if (valset) assertInputKeys(valset, 'GEPA.compile (valset)');
    if (!valset) {
      logger.warn(
        'GEPA: no valset given, so the trainset is also the valset. The result will overfit it; pass a separate, smallest-representative valset to measure generalization.',
      );
    }
    return { trainset, valset: valset ?? trainset, separateVal: valset !== undefined };
  }

  /** The metric-call budget from `maxMetricCalls`, `maxFullEvals` or the `auto` preset (kept on `lastBudget`). */
  private budget(numPredictors: number, trainSize: number, valSize: number, separateVal: boolean): number {
    const o = this.options;
    const budget =
      o.maxMetricCalls ??
      (o.maxFullEvals !== undefined
        ? o.maxFullEvals * (trainSize + (separateVal ? valSize : 0))
        : autoBudget(o.auto as AutoPreset, numPredictors, valSize));
    this.lastBudget = budget;
    return budget;
  }

  private templates(candidate: Candidate): Record<string, string> {
    return Object.fromEntries(
      Object.keys(candidate).map((c) => [c, isToolComponent(c) ? toolTemplateFor(c) : INSTRUCTION_REFLECTION_TEMPLATE]),
    );
  }
}

/** Separates the program-level options from those passed straight to the engine. */
function splitOptions<E, P>(o: GEPAOptions<E, P>) {
  const {
    metric: _metric,
    auto: _auto,
    maxFullEvals: _full,
    maxMetricCalls: _calls,
    componentSelector: _selector,
    optimizeToolDescriptions: _tools,
    addFormatFailureAsFeedback: _format,
    concurrency: _concurrency,
    failureScore: _failure,
    trackStats,
    instructionProposer,
    warnOnScoreMismatch: _warn,
    reflectionPromptTemplate,
    ...engineOptions
  } = o;
  return { trackStats, instructionProposer, reflectionPromptTemplate, engineOptions };
}

/** Options as saved in program metadata: scalars and LM names only — no functions, objects or secrets. */
function describeOptions<E, P>(options: GEPAOptions<E, P>, budget: number): Record<string, unknown> {
  const out: Record<string, unknown> = { maxMetricCalls: budget };
  for (const [key, value] of Object.entries(options)) {
    if (['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  const lm = options.reflectionLM;
  out.reflectionLM = typeof lm === 'string' ? lm : typeof lm === 'function' ? 'custom function' : lm?.model;
  return out;
}
