import {
  bestIndex,
  currentBestSelector,
  epsilonGreedySelector,
  GEPAConfigError,
  nonDominatedCounts,
  paretoSelector,
  Rng,
  topKParetoSelector,
} from 'tsdspy';
import { describe, expect } from 'vitest';
import fixtures from './fixtures/pareto-selection.json' with { type: 'json' };
import tieFixtures from './fixtures/tie-order.json' with { type: 'json' };
import { differs, notApplicable, population, same } from './support.js';

// gepa's fixture: three candidates, the last best everywhere (0.8), the seed mixed (0.5, 0.3, 0.7).
const MOCK = [
  [0.5, 0.3, 0.7],
  [0.6, 0.6, 0.6],
  [0.8, 0.8, 0.8],
];

describe('gepa tests/test_candidate_selector.py', () => {
  same('TestCurrentBestCandidateSelector::test_selects_best_candidate', () => {
    const ctx = population(MOCK);
    const idx = currentBestSelector.select(ctx);
    expect(idx).toBe(2);
    expect(ctx.aggregates[idx]).toBeCloseTo(0.8);
  });

  same('TestCurrentBestCandidateSelector::test_deterministic', () => {
    const ctx = population(MOCK);
    const results = Array.from({ length: 10 }, () => currentBestSelector.select(ctx));
    expect(new Set(results).size).toBe(1);
  });

  same('TestParetoCandidateSelector::test_samples_from_pareto_front', () => {
    const ctx = population(MOCK, 42);
    for (let i = 0; i < 20; i++) {
      const idx = paretoSelector.select(ctx);
      expect(idx).toBeGreaterThanOrEqual(0);
      expect(idx).toBeLessThan(MOCK.length);
    }
  });

  same('TestParetoCandidateSelector::test_seeding_produces_deterministic_sequence', () => {
    const a = population(MOCK, 42);
    const b = population(MOCK, 42);
    const run = (ctx: typeof a) => Array.from({ length: 10 }, () => paretoSelector.select(ctx));
    expect(run(a)).toEqual(run(b));
  });

  notApplicable('selector-own-rng', 'TestParetoCandidateSelector::test_default_rng_with_seed_zero');

  same('TestEpsilonGreedyCandidateSelector::test_epsilon_zero_always_exploits', () => {
    const ctx = population(MOCK, 42);
    const selector = epsilonGreedySelector(0);
    expect(Array.from({ length: 20 }, () => selector.select(ctx)).every((r) => r === 2)).toBe(true);
  });

  same('TestEpsilonGreedyCandidateSelector::test_epsilon_one_always_explores', () => {
    const ctx = population(MOCK, 42);
    const selector = epsilonGreedySelector(1);
    const results = Array.from({ length: 50 }, () => selector.select(ctx));
    expect(new Set(results).size).toBeGreaterThan(1);
    for (const r of results) expect(r >= 0 && r < MOCK.length).toBe(true);
  });

  same('TestEpsilonGreedyCandidateSelector::test_seeding_produces_deterministic_sequence', () => {
    const selector = epsilonGreedySelector(0.3);
    const run = (ctx: ReturnType<typeof population>) => Array.from({ length: 10 }, () => selector.select(ctx));
    expect(run(population(MOCK, 42))).toEqual(run(population(MOCK, 42)));
  });

  same('TestEpsilonGreedyCandidateSelector::test_invalid_epsilon_raises_assertion', () => {
    expect(() => epsilonGreedySelector(-0.1)).toThrow(GEPAConfigError);
    expect(() => epsilonGreedySelector(1.5)).toThrow(GEPAConfigError);
  });

  same('TestEpsilonGreedyCandidateSelector::test_boundary_epsilon_values', () => {
    expect(() => epsilonGreedySelector(0)).not.toThrow();
    expect(() => epsilonGreedySelector(1)).not.toThrow();
  });

  same('TestEpsilonGreedyCandidateSelector::test_selects_best_when_not_exploring', () => {
    const ctx = population(MOCK, 42);
    const selector = epsilonGreedySelector(0.01);
    const best = Array.from({ length: 100 }, () => selector.select(ctx)).filter((r) => r === 2).length;
    expect(best).toBeGreaterThanOrEqual(90);
  });
});

describe('gepa tests/test_gepa_utils.py', () => {
  same('test_select_program_candidate_respects_frequency_bias', () => {
    // fronts {val0: {0, 1}, val1: {1}}, aggregates [0.3, 0.6]: 0 is dominated, so 1 is the only choice.
    const counts = nonDominatedCounts([[0, 1], [1]], [0.3, 0.6]);
    expect([...counts]).toEqual([[1, 2]]);
    const ctx = population([
      [1, 0],
      [1, 1],
    ]);
    expect(paretoSelector.select(ctx)).toBe(1);
  });
});

describe('gepa gepa_utils.remove_dominated_programs and TopKParetoCandidateSelector (cross-checked against gepa)', () => {
  // 60 tie-heavy populations (0/1, halves and quarters), with the survivors and their front counts gepa's own
  // remove_dominated_programs returned, for Pareto selection and for top-3 Pareto selection.
  const cases = fixtures as Array<{ scores: number[][]; pareto: number[][]; topK3: number[][] }>;

  same('remove_dominated_programs: survivors and front counts on 60 tie-heavy populations', () => {
    for (const { scores, pareto } of cases) {
      const { frontier } = population(scores);
      expect([...frontier.nonDominated()]).toEqual(pareto);
      const aggregates = scores.map((s) => s.reduce((a, b) => a + b, 0) / s.length);
      expect([...nonDominatedCounts(frontier.fronts(), aggregates)]).toEqual(pareto);
    }
  });

  same('TopKParetoCandidateSelector(k=3): only gepa’s surviving top-3 candidates are ever selected', () => {
    for (const { scores, topK3 } of cases) {
      const ctx = population(scores, 3);
      const selector = topKParetoSelector(3);
      const seen = new Set(Array.from({ length: 60 }, () => selector.select(ctx)));
      const allowed = new Set(topK3.map(([c]) => c));
      for (const c of seen) expect(allowed.has(c)).toBe(true);
      if (allowed.size === 1) expect([...seen]).toEqual([...allowed]);
    }
  });

  same('TopKParetoCandidateSelector: top K first, then dominated removal (not K best non-dominated)', () => {
    // c3 is best overall; c0..c2 tie below it. K=2 keeps c3 and c0 (earliest of the tie); c0 is then dominated by
    // c3 on every front it holds, so only c3 can be chosen. Taking the 2 best non-dominated would allow c1 too.
    const ctx = population([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 1, 0],
    ]);
    const selector = topKParetoSelector(2);
    expect(new Set(Array.from({ length: 40 }, () => selector.select(ctx)))).toEqual(new Set([3]));
  });

  same('tie order: among equal aggregates, candidates are checked in order of first appearance on the fronts', () => {
    // Fronts: k0 {1, 2}, k1 {0, 1}, k2 {0, 2}, k3 {2}. c0 and c1 tie (0.5). c1 appears first (on k0), so it is checked
    // (and removed) first, and c0 survives — gepa gives {0, 2}; checking by ascending id would give {1, 2}.
    const { frontier, aggregates } = population([
      [0, 1, 1, 0],
      [1, 1, 0, 0],
      [1, 0, 1, 1],
    ]);
    expect([...frontier.nonDominated().keys()]).toEqual([0, 2]);
    expect([...nonDominatedCounts(frontier.fronts(), aggregates).keys()]).toEqual([0, 2]);
  });

  same('tie order on 30 tie-heavy 0/1 populations where checking ties by ascending id would keep other candidates', () => {
    for (const { scores, pareto, ascendingIdSurvivors } of tieFixtures as Array<{
      scores: number[][];
      pareto: number[][];
      ascendingIdSurvivors: number[];
    }>) {
      const { frontier } = population(scores);
      const survivors = [...frontier.nonDominated()];
      expect(survivors).toEqual(pareto);
      expect(survivors.map(([c]) => c)).not.toEqual(ascendingIdSurvivors);
    }
  });

  differs('tie-order-set-layout', 'remove_dominated_programs with candidate ids ≥ 8 in one front (Python set order)', () => {
    // Fronts 1 and 3 are {2, 6, 9} and {1, 4, 9}: gepa reads them in Python's hash-table order (9 first), tsdspy in
    // ascending id order, so among the tied candidates a different one is checked first. gepa keeps [0, 4, 5, 6].
    const scores = [
      [1, 0, 0, 0.5, 0.5],
      [0.5, 0, 1, 1, 0.5],
      [0.5, 1, 0.5, 0.5, 0],
      [0, 0, 0, 0.5, 0],
      [0.5, 0, 0.5, 1, 1],
      [0, 0.5, 1, 0.5, 1],
      [0, 1, 0, 0.5, 1],
      [0, 0.5, 0, 0.5, 1],
      [0.5, 0, 1, 0.5, 0.5],
      [0.5, 1, 0, 1, 0],
    ];
    const { frontier } = population(scores);
    expect([...frontier.nonDominated().keys()]).toEqual([0, 5, 9]);
  });

  same('tie order: of identical candidates the later one survives', () => {
    const { frontier } = population([
      [1, 0],
      [1, 0],
    ]);
    expect([...frontier.nonDominated().keys()]).toEqual([1]);
  });

  same('current best: ties go to the earliest candidate (idxmax)', () => {
    expect(bestIndex([0.5, 0.7, 0.7])).toBe(1);
    expect(new Rng(1).next()).toBeTypeOf('number');
  });
});
