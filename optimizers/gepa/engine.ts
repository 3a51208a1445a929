import { join } from 'node:path';
import { BackendError } from '../../src/backends/errors.js';
import { abortIfAllFailed, type FailureSummary, mergeFailureSummaries, reportFailures } from '../../src/evaluate/failures.js';
import { logger } from '../../src/logger/logger.js';
import { currentSettings, withSettings } from '../../src/settings/settings.js';
import { inSpan } from '../../src/telemetry/otel.js';
import type { ResolvedData } from './data.js';
import { GEPAConfigError, ReflectionFailedError } from './errors.js';
import { BudgetExhausted, BudgetedEvaluator, type EvaluationOutcome, RunAborted } from './evaluator.js';
import { EventBus, type GEPACallback } from './events.js';
import { Frontier, type FrontierType } from './frontier.js';
import { proposeMerge } from './proposers/merge.js';
import type { ReflectFn } from './proposers/reflection-lm.js';
import type { ReflectionTemplateOption } from './proposers/reflection-prompt.js';
import { type CandidateProposer, proposeReflective } from './proposers/reflective.js';
import { GEPAResult } from './result.js';
import { Rng, seedState } from './rng.js';
import { describeRun } from './run-dir/config.js';
import { EventLog } from './run-dir/event-log.js';
import { EVENTS_FILE, ensureRunDir, STATE_FILE, writeFileAtomic } from './run-dir/files.js';
import { readSnapshotJSON } from './run-dir/snapshot.js';
import { type EngineState, mean, parseEngineState, runFingerprint, STATE_FORMAT, STATE_VERSION } from './state.js';
import type { StopCondition, StopContext } from './stop.js';
import type { AcceptanceFunction } from './strategies/acceptance.js';
import type { BatchSampler } from './strategies/batch-sampler.js';
import { bestIndex, type CandidateSelector } from './strategies/candidate-selection.js';
import type { ComponentSelector } from './strategies/component-selection.js';
import type { Candidate, DataId, GEPAAdapter } from './types.js';
import { UsageMeter } from './usage.js';

/** Everything the engine needs, already validated and resolved by `optimize`. */
export interface EngineConfig<D, T, O> {
  seedCandidate: Candidate;
  train: ResolvedData<D>;
  val: ResolvedData<D>;
  adapter: GEPAAdapter<D, T, O>;
  reflect: ReflectFn;
  selector: CandidateSelector;
  componentSelector: ComponentSelector;
  sampler: BatchSampler;
  accept: AcceptanceFunction;
  frontierType: FrontierType;
  minibatchSize: number;
  skipPerfectScore: boolean;
  perfectScore: number;
  useMerge: boolean;
  maxMergeInvocations: number;
  mergeValOverlapFloor: number;
  template: ReflectionTemplateOption | undefined;
  customProposer: CandidateProposer | undefined;
  cacheEvaluation: boolean;
  trackBestOutputs: boolean;
  seed: number;
  runDir: string | undefined;
  callbacks: GEPACallback[];
  stopConditions: StopCondition[];
  metricCallLimit: number | undefined;
  signal: AbortSignal | undefined;
  /** true: any failing iteration ends the run; false: every one is logged and skipped; undefined: only reflection failures are skipped. */
  raiseOnException: boolean | undefined;
  /** Consecutive failed reflection calls tolerated before the run stops (when they are skipped). */
  maxReflectionFailures: number;
  /** Names the run in stderr lines and errors (default `GEPA`). */
  label?: string;
}

/** Runs (or resumes) a GEPA optimization and returns its result. */
export function runEngine<D, T, O>(config: EngineConfig<D, T, O>): Promise<GEPAResult> {
  const attributes = {
    'tsdspy.optimizer.name': 'GEPA',
    'tsdspy.gepa.train_size': config.train.ids.length,
    'tsdspy.gepa.val_size': config.val.ids.length,
    'tsdspy.gepa.seed': config.seed,
    ...(config.metricCallLimit !== undefined ? { 'tsdspy.gepa.max_metric_calls': config.metricCallLimit } : {}),
  };
  return inSpan('tsdspy.optimizer GEPA', { attributes }, async (span) => {
    const result = await new Engine(config).run();
    span?.setAttributes({
      'tsdspy.gepa.candidates': result.candidates.length,
      'tsdspy.gepa.best_score': result.bestScore,
      'tsdspy.gepa.metric_calls': result.totalMetricCalls,
      'tsdspy.gepa.iterations': result.iterations,
      'tsdspy.gepa.stop_reason': result.stopReason,
    });
    return result;
  });
}

class Engine<D, T, O> {
  private state!: EngineState;
  private rng!: Rng;
  private frontier!: Frontier;
  private evaluator!: BudgetedEvaluator<D, T, O>;
  private readonly bus: EventBus;
  private readonly eventLog: EventLog | undefined;
  private readonly started = performance.now();
  /** Failures of every full valset evaluation this process ran. */
  private errors: FailureSummary | undefined;
  private reflectionFailuresInARow = 0;
  private readonly usage = new UsageMeter();
  private iterationStarted = { at: 0, metricCalls: 0 };

  constructor(private readonly config: EngineConfig<D, T, O>) {
    if (config.runDir) ensureRunDir(config.runDir);
    this.eventLog = config.runDir ? new EventLog(join(config.runDir, EVENTS_FILE)) : undefined;
    this.bus = new EventBus(config.callbacks, this.eventLog);
  }

  /** Runs with a settings callback that counts the LM calls made on the run's behalf (task vs reflection). */
  run(): Promise<GEPAResult> {
    const callbacks = currentSettings().callbacks ?? [];
    return withSettings({ callbacks: [...callbacks, this.usage] }, async () => {
      try {
        return await this.runInScope();
      } finally {
        this.eventLog?.close();
      }
    });
  }

  private async runInScope(): Promise<GEPAResult> {
    const resumed = this.loadOrCreateState();
    this.rng = new Rng(this.state.rngState);
    this.evaluator = new BudgetedEvaluator(
      this.config.adapter,
      this.state,
      this.config.metricCallLimit,
      this.bus,
      this.config.cacheEvaluation,
      this.config.signal,
    );
    this.frontier = new Frontier(this.config.frontierType);
    for (const c of this.state.candidates.keys()) this.frontier.add(c, this.scoresOf(c));
    this.bus.emit({
      type: 'runStart',
      iteration: this.state.iteration,
      resumed,
      trainSize: this.config.train.ids.length,
      valSize: this.config.val.ids.length,
      seed: this.config.seed,
      config: describeRun(this.config),
    });
    if (this.state.candidates.length === 0) await this.evaluateSeed();

    for (;;) {
      const reason = this.stopReason();
      if (reason) {
        this.state.stopReason = reason;
        break;
      }
      if (!(await this.iterate())) break;
    }
    this.save();
    const bestIdx = bestIndex(this.state.aggregates);
    this.bus.emit({
      type: 'runEnd',
      iteration: this.state.iteration,
      bestIdx,
      bestScore: this.state.aggregates[bestIdx] as number,
      totalMetricCalls: this.state.totalMetricCalls,
      stopReason: this.state.stopReason ?? 'unknown',
    });
    return GEPAResult.fromState(this.state, bestIdx, this.config.runDir, this.errors);
  }

  /** One iteration in its own telemetry span; returns false when the run must stop. */
  private iterate(): Promise<boolean> {
    const iteration = this.state.iteration + 1;
    const before = this.state.candidates.length;
    return inSpan('tsdspy.gepa.iteration', { attributes: { 'tsdspy.gepa.iteration': iteration } }, async (span) => {
      const keepGoing = await this.iterateOnce(iteration);
      span?.setAttributes({
        'tsdspy.gepa.accepted': this.state.candidates.length > before,
        'tsdspy.gepa.metric_calls': this.state.totalMetricCalls,
      });
      return keepGoing;
    });
  }

  /** One iteration; returns false when the run must stop (budget or abort hit mid-iteration). */
  private async iterateOnce(iteration: number): Promise<boolean> {
    const bestBefore = this.state.bestAggregate;
    this.iterationStarted = { at: performance.now(), metricCalls: this.state.totalMetricCalls };
    this.usage.take();
    this.bus.emit({ type: 'iterationStart', iteration });
    let accepted = false;
    let keepGoing = true;
    try {
      accepted = await this.mergeOrReflect(iteration);
    } catch (error) {
      if (error instanceof BudgetExhausted || error instanceof RunAborted) {
        this.state.stopReason = error instanceof RunAborted ? 'aborted' : `maxMetricCalls: ${error.message}`;
        if (error instanceof BudgetExhausted) this.state.exhaustedLimit = this.config.metricCallLimit ?? null;
        keepGoing = false;
      } else {
        const message = error instanceof Error ? error.message : String(error);
        const reflection = error instanceof ReflectionFailedError;
        // A failing backend fails every later iteration too: stop whatever raiseOnException says.
        const raise =
          error instanceof BackendError || (reflection ? this.reflectionFailed(error) : this.config.raiseOnException !== false);
        this.bus.emit({ type: 'error', iteration, message, willContinue: !raise });
        if (!raise) logger.warn(`${this.label}: iteration ${iteration} failed and was skipped: ${message}`);
        if (raise) {
          this.state.stopReason = `error: ${message}`;
          this.finishIteration(iteration, bestBefore, accepted);
          throw error;
        }
      }
    }
    this.finishIteration(iteration, bestBefore, accepted);
    return keepGoing;
  }

  private finishIteration(iteration: number, bestBefore: number, accepted: boolean): void {
    this.state.iteration = iteration;
    this.state.iterationsWithoutImprovement =
      this.state.bestAggregate > bestBefore ? 0 : this.state.iterationsWithoutImprovement + 1;
    this.save();
    this.bus.emit({
      type: 'iterationEnd',
      iteration,
      accepted,
      metricCalls: this.state.totalMetricCalls - this.iterationStarted.metricCalls,
      totalMetricCalls: this.state.totalMetricCalls,
      lm: this.usage.take(),
      durationMs: performance.now() - this.iterationStarted.at,
    });
  }

  private async mergeOrReflect(iteration: number): Promise<boolean> {
    const { config, state } = this;
    if (config.useMerge) {
      const due = state.merge.due > 0 && state.merge.lastIterFoundNew && state.merge.tested < config.maxMergeInvocations;
      state.merge.lastIterFoundNew = false;
      if (due) {
        const proposal = proposeMerge(state, this.frontier, this.rng, config.mergeValOverlapFloor);
        if (proposal) {
          const { parents, candidate, ids, parentSums } = proposal;
          this.bus.emit({
            type: 'mergeAttempted',
            iteration,
            parents,
            ancestor: proposal.ancestor,
            candidate,
            ids,
            parentScores: [this.scoresOn(parents[0], ids), this.scoresOn(parents[1], ids)],
          });
          const run = await this.evaluator.evaluate(config.val, ids, candidate, false);
          this.bus.emit({ type: 'minibatchEvaluated', iteration, candidateIdx: null, ids, scores: run.scores, role: 'merge' });
          const childSum = run.scores.reduce((a, b) => a + b, 0);
          if (childSum < Math.max(...parentSums)) {
            this.bus.emit({
              type: 'mergeRejected',
              iteration,
              parents,
              reason: `merged sum ${childSum} < best parent ${Math.max(...parentSums)}`,
            });
            return false;
          }
          const idx = await this.addWithValset(candidate, parents, iteration);
          state.merge.due -= 1;
          state.merge.tested += 1;
          this.bus.emit({ type: 'mergeAccepted', iteration, candidateIdx: idx, parents });
          this.bus.emit({ type: 'candidateAccepted', iteration, candidateIdx: idx, parents, minibatchSum: childSum });
          return true;
        }
      }
    }

    const outcome = await proposeReflective({
      state,
      frontier: this.frontier,
      rng: this.rng,
      train: config.train,
      adapter: config.adapter,
      evaluator: this.evaluator,
      bus: this.bus,
      selector: config.selector,
      componentSelector: config.componentSelector,
      sampler: config.sampler,
      minibatchSize: config.minibatchSize,
      skipPerfectScore: config.skipPerfectScore,
      perfectScore: config.perfectScore,
      reflect: config.reflect,
      template: config.template,
      customProposer: config.customProposer,
    });
    if (outcome.kind === 'skipped') return false;
    this.reflectionFailuresInARow = 0;
    const parentSum = outcome.parentScores.reduce((a, b) => a + b, 0);
    const childSum = outcome.childScores.reduce((a, b) => a + b, 0);
    if (!config.accept(outcome.parentScores, outcome.childScores)) {
      this.bus.emit({
        type: 'candidateRejected',
        iteration,
        parentSum,
        childSum,
        reason: 'acceptance criterion not met on the minibatch',
      });
      return false;
    }
    const idx = await this.addWithValset(outcome.candidate, [outcome.parentIdx], iteration);
    this.bus.emit({
      type: 'candidateAccepted',
      iteration,
      candidateIdx: idx,
      parents: [outcome.parentIdx],
      minibatchSum: childSum,
    });
    if (config.useMerge) {
      state.merge.lastIterFoundNew = true;
      // Never schedule more merges than may still be accepted in total.
      if (state.merge.tested + state.merge.due < config.maxMergeInvocations) state.merge.due += 1;
    }
    return true;
  }

  private async addWithValset(candidate: Candidate, parents: number[], iteration: number): Promise<number> {
    const discovery = this.state.totalMetricCalls;
    const run = await this.evaluator.evaluate(this.config.val, this.config.val.ids, candidate, false);
    this.reportValFailures(run, `candidate ${this.state.candidates.length}`);
    return this.addCandidate(candidate, parents, run, discovery, iteration);
  }

  private get label(): string {
    return this.config.label ?? 'GEPA';
  }

  /** The summary line of a full valset evaluation, also added to the run's `errors`. */
  private reportValFailures(run: EvaluationOutcome<T, O>, which: string): void {
    const summary = reportFailures(`${this.label} (${which}, valset)`, run.failures, this.config.val.ids.length);
    this.errors = mergeFailureSummaries(this.errors, summary);
  }

  /** Counts a failed reflection call; true when the run must stop (raiseOnException, or too many in a row). */
  private reflectionFailed(error: ReflectionFailedError): boolean {
    if (this.config.raiseOnException === true) return true;
    this.reflectionFailuresInARow += 1;
    if (this.reflectionFailuresInARow >= this.config.maxReflectionFailures) {
      error.message = `${error.message} (${this.reflectionFailuresInARow} reflection calls failed in a row, maxReflectionFailures is ${this.config.maxReflectionFailures})`;
      return true;
    }
    return false;
  }

  private addCandidate(
    candidate: Candidate,
    parents: number[],
    run: EvaluationOutcome<T, O>,
    discovery: number,
    iteration: number,
  ): number {
    const { state } = this;
    if ((this.config.frontierType === 'objective' || this.config.frontierType === 'cartesian') && !run.objectiveScores) {
      throw new GEPAConfigError(`frontierType '${this.config.frontierType}' needs objectiveScores from the adapter's evaluate()`);
    }
    const idx = state.candidates.length;
    const aggregate = mean(run.scores);
    if (this.config.trackBestOutputs) this.trackOutputs(idx, run);
    state.candidates.push({ ...candidate });
    state.parents.push([...parents]);
    state.valScores.push([...run.scores]);
    state.valObjectiveScores.push(run.objectiveScores);
    state.aggregates.push(aggregate);
    state.discoveryEvalCounts.push(discovery);
    state.numFullValEvals += 1;
    // A child continues its parent's round robin (gepa: the max of its parents' cursors), so a chain of accepted
    // children rewrites the components in turn instead of always starting again at the first one.
    state.componentCursor.push(Math.max(0, ...parents.map((p) => state.componentCursor[p] ?? 0)));
    const isBest = idx === 0 || aggregate > state.bestAggregate;
    if (isBest) state.bestAggregate = aggregate;
    this.frontier.add(idx, this.scoresOf(idx));
    this.bus.emit({ type: 'valsetEvaluated', iteration, candidateIdx: idx, score: aggregate, isBest });
    this.bus.emit({ type: 'frontierUpdated', iteration, frontier: [...this.frontier.members()].sort((a, b) => a - b) });
    return idx;
  }

  private trackOutputs(idx: number, run: EvaluationOutcome<T, O>): void {
    this.state.bestOutputs ??= this.state.valIds.map(() => []);
    const best = this.state.bestOutputs;
    run.scores.forEach((score, v) => {
      const current = best[v] as Array<{ candidate: number; output: unknown }>;
      const top = current.length
        ? (this.state.valScores[(current[0] as { candidate: number }).candidate]?.[v] as number)
        : -Infinity;
      if (score > top) best[v] = [{ candidate: idx, output: run.outputs[v] ?? null }];
      else if (score === top) current.push({ candidate: idx, output: run.outputs[v] ?? null });
    });
  }

  private async evaluateSeed(): Promise<void> {
    const { config } = this;
    const limit = config.metricCallLimit;
    if (limit !== undefined && limit < config.val.ids.length) {
      throw new GEPAConfigError(
        `maxMetricCalls (${limit}) is smaller than the valset (${config.val.ids.length}): the seed candidate cannot even be evaluated. Raise the budget or use a smaller valset.`,
      );
    }
    const run = await this.evaluator.evaluate(config.val, config.val.ids, config.seedCandidate, false);
    this.reportValFailures(run, 'seed');
    // User code failing on every example of the first full evaluation is a bug: stop before any reflection.
    abortIfAllFailed(this.label, run.failures, config.val.ids.length);
    this.addCandidate(config.seedCandidate, [], run, 0, 0);
    this.save();
  }

  /** Candidate c's validation scores on the given validation ids. */
  private scoresOn(c: number, ids: readonly DataId[]): number[] {
    const position = new Map(this.state.valIds.map((id, v) => [id, v]));
    const scores = this.state.valScores[c] as number[];
    return ids.map((id) => scores[position.get(id) as number] as number);
  }

  private scoresOf(c: number) {
    return { instance: this.state.valScores[c] as number[], objectives: this.state.valObjectiveScores[c] ?? null };
  }

  private stopReason(): string | undefined {
    const ctx: StopContext = {
      iteration: this.state.iteration,
      totalMetricCalls: this.state.totalMetricCalls,
      bestScore: this.state.bestAggregate,
      iterationsWithoutImprovement: this.state.iterationsWithoutImprovement,
      reflectionCost: this.state.reflectionCost,
      elapsedMs: performance.now() - this.started,
      ...(this.config.runDir ? { runDir: this.config.runDir } : {}),
    };
    if (this.config.signal?.aborted) return 'aborted';
    const limit = this.config.metricCallLimit;
    if (this.state.exhaustedLimit !== null && limit !== undefined && limit <= this.state.exhaustedLimit) {
      return this.state.stopReason ?? `maxMetricCalls: budget of ${limit} exhausted`;
    }
    return this.config.stopConditions.find((c) => c.shouldStop(ctx))?.name;
  }

  private save(): void {
    this.state.rngState = this.rng.state;
    if (!this.config.runDir) return;
    const path = join(this.config.runDir, STATE_FILE);
    writeFileAtomic(path, JSON.stringify(this.state));
    this.bus.emit({ type: 'stateSaved', iteration: this.state.iteration, path });
  }

  /** Resumes from the run dir when it holds a state for this run; otherwise starts fresh. */
  private loadOrCreateState(): boolean {
    const { config } = this;
    const fingerprint = runFingerprint(config.seedCandidate, config.train.ids, config.val.ids);
    const saved = config.runDir ? readSnapshotJSON(config.runDir) : undefined;
    if (saved !== undefined) {
      this.state = parseEngineState(saved, { fingerprint, seed: config.seed }, join(config.runDir as string, STATE_FILE));
      if (config.cacheEvaluation && !this.state.cache) this.state.cache = {};
      if (this.state.exhaustedLimit === null) this.state.stopReason = null;
      return true;
    }
    this.state = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      fingerprint,
      seed: config.seed,
      iteration: 0,
      candidates: [],
      parents: [],
      valIds: [...config.val.ids],
      valScores: [],
      valObjectiveScores: [],
      aggregates: [],
      discoveryEvalCounts: [],
      totalMetricCalls: 0,
      numFullValEvals: 0,
      rngState: seedState(config.seed),
      sampler: null,
      componentCursor: [],
      merge: { due: 0, tested: 0, lastIterFoundNew: false, triedTriplets: [], triedDescriptions: [] },
      bestAggregate: -Number.MAX_VALUE, // finite so the state stays valid JSON
      iterationsWithoutImprovement: 0,
      reflectionCost: 0,
      cache: config.cacheEvaluation ? {} : null,
      bestOutputs: null,
      stopReason: null,
      exhaustedLimit: null,
    };
    return false;
  }
}
