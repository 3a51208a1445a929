import type { ResolvedData } from '../data.js';
import { GEPAConfigError, ReflectionFailedError, UnknownComponentError } from '../errors.js';
import type { BudgetedEvaluator } from '../evaluator.js';
import type { EventBus, ReflectionExchange } from '../events.js';
import type { Frontier } from '../frontier.js';
import type { Rng } from '../rng.js';
import type { EngineState } from '../state.js';
import type { BatchSampler } from '../strategies/batch-sampler.js';
import type { CandidateSelector } from '../strategies/candidate-selection.js';
import type { ComponentSelector } from '../strategies/component-selection.js';
import type { Candidate, DataId, EvaluationBatch, GEPAAdapter, ReflectiveDataset } from '../types.js';
import type { ReflectFn } from './reflection-lm.js';
import { buildReflectionPrompt, extractFencedText, type ReflectionTemplateOption, templateFor } from './reflection-prompt.js';

/** Replaces the reflection step: returns new texts for (some of) the components to update. */
export type CandidateProposer = (args: {
  candidate: Candidate;
  reflectiveDataset: ReflectiveDataset;
  componentsToUpdate: readonly string[];
  evalBatch: EvaluationBatch;
  rng: Rng;
}) => Promise<Record<string, string>> | Record<string, string>;

export interface ReflectiveContext<D, T, O> {
  state: EngineState;
  frontier: Frontier;
  rng: Rng;
  train: ResolvedData<D>;
  adapter: GEPAAdapter<D, T, O>;
  evaluator: BudgetedEvaluator<D, T, O>;
  bus: EventBus;
  selector: CandidateSelector;
  componentSelector: ComponentSelector;
  sampler: BatchSampler;
  minibatchSize: number;
  skipPerfectScore: boolean;
  perfectScore: number;
  reflect: ReflectFn;
  template: ReflectionTemplateOption | undefined;
  customProposer: CandidateProposer | undefined;
}

export type ReflectiveOutcome =
  | { kind: 'skipped'; reason: string }
  | {
      kind: 'proposal';
      candidate: Candidate;
      parentIdx: number;
      ids: DataId[];
      parentScores: number[];
      childScores: number[];
    };

/** One reflective mutation: select, minibatch, traced run, reflection, and the child's run on the same minibatch. */
export async function proposeReflective<D, T, O>(ctx: ReflectiveContext<D, T, O>): Promise<ReflectiveOutcome> {
  const { state, rng, bus } = ctx;
  const iteration = state.iteration + 1;
  const parentIdx = ctx.selector.select({ frontier: ctx.frontier, aggregates: state.aggregates, rng });
  const parent = state.candidates[parentIdx] as Candidate;
  bus.emit({ type: 'candidateSelected', iteration, candidateIdx: parentIdx, score: state.aggregates[parentIdx] as number });

  const sampled = ctx.sampler.next(ctx.train.ids, ctx.minibatchSize, state.sampler, rng);
  state.sampler = sampled.state;
  const ids = sampled.ids;

  const parentRun = await ctx.evaluator.evaluate(ctx.train, ids, parent, true);
  bus.emit({ type: 'minibatchEvaluated', iteration, candidateIdx: parentIdx, ids, scores: parentRun.scores, role: 'parent' });
  if (ctx.skipPerfectScore && parentRun.scores.every((s) => s >= ctx.perfectScore)) {
    bus.emit({ type: 'skippedPerfect', iteration, candidateIdx: parentIdx });
    return { kind: 'skipped', reason: 'parent scored perfectly on the minibatch' };
  }

  const components = ctx.componentSelector.select({
    candidateIdx: parentIdx,
    components: Object.keys(parent),
    cursor: state.componentCursor,
    rng,
    iteration,
    candidate: parent,
    scores: parentRun.scores,
    trajectories: parentRun.batch?.trajectories ?? [],
  });
  const evalBatch = parentRun.batch as EvaluationBatch<T, O>;
  const reflectiveDataset = await ctx.adapter.makeReflectiveDataset(parent, evalBatch, components);
  const { texts: proposed, proposer, reflections } = await proposeTexts(ctx, parent, reflectiveDataset, components, evalBatch);
  for (const name of Object.keys(proposed)) {
    if (!(name in parent)) {
      throw new UnknownComponentError(
        `Proposer returned a text for "${name}", which is not a component (${Object.keys(parent).join(', ')})`,
      );
    }
  }
  const texts = changedTexts(parent, proposed);
  if (Object.keys(texts).length === 0) {
    // The child would equal its parent: as in gepa, no minibatch run is spent on it.
    bus.emit({ type: 'proposalSkipped', iteration, parentIdx, components, reason: 'no new text' });
    return { kind: 'skipped', reason: 'the proposal changed no component (empty or unchanged texts)' };
  }
  bus.emit({
    type: 'proposal',
    iteration,
    parentIdx,
    components,
    texts,
    proposer,
    ...(reflections.length ? { reflections } : {}),
  });
  const candidate = { ...parent, ...texts };

  const childRun = await ctx.evaluator.evaluate(ctx.train, ids, candidate, false);
  bus.emit({ type: 'minibatchEvaluated', iteration, candidateIdx: null, ids, scores: childRun.scores, role: 'child' });
  return { kind: 'proposal', candidate, parentIdx, ids, parentScores: parentRun.scores, childScores: childRun.scores };
}

/** The proposed texts that are non-empty and differ from the parent's: an empty text is never a component. */
export function changedTexts(parent: Candidate, proposed: Record<string, string>): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const [name, text] of Object.entries(proposed)) {
    if (typeof text === 'string' && text.trim() !== '' && text !== parent[name]) changed[name] = text;
  }
  return changed;
}

async function proposeTexts<D, T, O>(
  ctx: ReflectiveContext<D, T, O>,
  parent: Candidate,
  dataset: ReflectiveDataset,
  components: readonly string[],
  evalBatch: EvaluationBatch<T, O>,
): Promise<{ texts: Record<string, string>; proposer: 'reflection' | 'adapter' | 'custom'; reflections: ReflectionExchange[] }> {
  if (ctx.customProposer) {
    const texts = await ctx.customProposer({
      candidate: parent,
      reflectiveDataset: dataset,
      componentsToUpdate: components,
      evalBatch: evalBatch as EvaluationBatch,
      rng: ctx.rng,
    });
    return { texts, proposer: 'custom', reflections: [] };
  }
  if (ctx.adapter.proposeNewTexts) {
    return { texts: await ctx.adapter.proposeNewTexts(parent, dataset, components), proposer: 'adapter', reflections: [] };
  }
  const texts: Record<string, string> = {};
  const reflections: ReflectionExchange[] = [];
  for (const component of components) {
    const prompt = buildReflectionPrompt(
      templateFor(ctx.template, component),
      parent[component] as string,
      dataset[component] ?? [],
    );
    const reply = await ctx.reflect(prompt).catch((error: unknown) => {
      if (error instanceof GEPAConfigError) throw error;
      throw new ReflectionFailedError(
        `The reflection LM call for "${component}" failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        { cause: error },
      );
    });
    ctx.state.reflectionCost += reply.cost ?? 0;
    texts[component] = extractFencedText(reply.text);
    reflections.push({ component, prompt, reply: reply.text, cost: reply.cost ?? 0 });
  }
  return { texts, proposer: 'reflection', reflections };
}
