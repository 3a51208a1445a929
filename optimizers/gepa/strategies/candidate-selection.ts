import { GEPAConfigError } from '../errors.js';
import { type Frontier, nonDominatedCounts } from '../frontier.js';
import type { Rng } from '../rng.js';

/** What a selector sees: the frontier and each candidate's aggregate validation score. */
export interface SelectionContext {
  frontier: Frontier;
  aggregates: readonly number[];
  rng: Rng;
}

/** Picks the parent of the next proposal. Must draw randomness only from `ctx.rng` for reproducible runs. */
export interface CandidateSelector {
  readonly name: string;
  select(ctx: SelectionContext): number;
}

export type CandidateSelectionStrategy = 'pareto' | 'current_best' | 'epsilon_greedy' | 'top_k_pareto' | CandidateSelector;

/** Best aggregate; ties go to the earliest candidate. */
export function bestIndex(aggregates: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < aggregates.length; i++) if ((aggregates[i] as number) > (aggregates[best] as number)) best = i;
  return best;
}

/** Samples a non-dominated frontier candidate with probability proportional to the number of fronts it leads. */
export const paretoSelector: CandidateSelector = {
  name: 'pareto',
  select({ frontier, aggregates, rng }) {
    const counts = frontier.nonDominated();
    if (counts.size === 0) return bestIndex(aggregates);
    return rng.weighted([...counts.keys()], [...counts.values()]);
  },
};

export const currentBestSelector: CandidateSelector = {
  name: 'current_best',
  select: ({ aggregates }) => bestIndex(aggregates),
};

/** With probability `epsilon` a uniformly random candidate, else the best. */
export function epsilonGreedySelector(epsilon = 0.1): CandidateSelector {
  if (!(epsilon >= 0 && epsilon <= 1))
    throw new GEPAConfigError(`epsilonGreedySelector: epsilon must be in [0, 1], got ${epsilon}`);
  return {
    name: 'epsilon_greedy',
    select: ({ aggregates, rng }) => (rng.next() < epsilon ? rng.int(aggregates.length) : bestIndex(aggregates)),
  };
}

/**
 * gepa's top-K Pareto: keep the `k` candidates with the best aggregate scores (ties: the earlier candidate), restrict
 * every front to them, then remove dominated candidates and sample as `pareto` does. With no front left, the best.
 */
export function topKParetoSelector(k = 5): CandidateSelector {
  if (!(Number.isInteger(k) && k > 0)) throw new GEPAConfigError(`topKParetoSelector: k must be a positive integer, got ${k}`);
  return {
    name: 'top_k_pareto',
    select({ frontier, aggregates, rng }) {
      const top = new Set(
        [...aggregates.keys()].sort((a, b) => (aggregates[b] as number) - (aggregates[a] as number) || a - b).slice(0, k),
      );
      const fronts = frontier
        .fronts()
        .map((members) => members.filter((m) => top.has(m)))
        .filter((members) => members.length > 0);
      if (fronts.length === 0) return bestIndex(aggregates);
      const counts = nonDominatedCounts(fronts, aggregates);
      return rng.weighted([...counts.keys()], [...counts.values()]);
    },
  };
}

export function resolveCandidateSelector(strategy: CandidateSelectionStrategy): CandidateSelector {
  if (typeof strategy !== 'string') return strategy;
  switch (strategy) {
    case 'pareto':
      return paretoSelector;
    case 'current_best':
      return currentBestSelector;
    case 'epsilon_greedy':
      return epsilonGreedySelector();
    case 'top_k_pareto':
      return topKParetoSelector();
    default:
      throw new GEPAConfigError(
        `Unknown candidateSelectionStrategy "${String(strategy)}": use 'pareto', 'current_best', 'epsilon_greedy', 'top_k_pareto' or a CandidateSelector`,
      );
  }
}
