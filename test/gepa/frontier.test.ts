import {
  bestIndex,
  epsilonGreedySelector,
  Frontier,
  nonDominatedCounts,
  optimize,
  paretoSelector,
  Rng,
  topKParetoSelector,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { factData, factOptions } from '../support/fact-task.js';

const objectives = (rows: Array<Record<string, number>>) => rows;

describe('Frontier', () => {
  it('instance: best candidates per validation example, ties kept', () => {
    const f = new Frontier('instance');
    f.add(0, { instance: [1, 0, 0], objectives: null });
    f.add(1, { instance: [0, 1, 0], objectives: null });
    f.add(2, { instance: [1, 1, 0], objectives: null });
    expect(f.fronts()).toEqual([
      [0, 2],
      [1, 2],
      [0, 1, 2],
    ]);
  });

  it('objective: best mean per objective', () => {
    const f = new Frontier('objective');
    f.add(0, {
      instance: [1, 1],
      objectives: objectives([
        { acc: 1, cost: 0 },
        { acc: 1, cost: 0 },
      ]),
    });
    f.add(1, {
      instance: [0, 0],
      objectives: objectives([
        { acc: 0, cost: 1 },
        { acc: 0, cost: 1 },
      ]),
    });
    f.add(2, {
      instance: [1, 0],
      objectives: objectives([
        { acc: 1, cost: 0.5 },
        { acc: 0, cost: 0.5 },
      ]),
    });
    expect(f.fronts()).toEqual([[0], [1]]);
  });

  it('hybrid: instance keys and objective keys', () => {
    const f = new Frontier('hybrid');
    f.add(0, { instance: [1, 0], objectives: objectives([{ a: 0 }, { a: 0 }]) });
    f.add(1, { instance: [0, 1], objectives: objectives([{ a: 1 }, { a: 1 }]) });
    expect(f.fronts()).toEqual([[0], [1], [1]]);
  });

  it('cartesian: one key per example and objective', () => {
    const f = new Frontier('cartesian');
    f.add(0, {
      instance: [1, 1],
      objectives: objectives([
        { a: 1, b: 0 },
        { a: 0, b: 0 },
      ]),
    });
    f.add(1, {
      instance: [1, 1],
      objectives: objectives([
        { a: 0, b: 1 },
        { a: 0, b: 1 },
      ]),
    });
    expect(f.fronts()).toEqual([[0], [1], [0, 1], [1]]);
  });

  it('refuses objective frontiers without objective scores', () => {
    expect(() => new Frontier('objective').add(0, { instance: [1], objectives: null })).toThrow(/objectiveScores/);
  });
});

describe('dominance and selection', () => {
  it('removes candidates whose every front is shared with a stronger survivor', () => {
    // 2 is on fronts {0,2} and {1,2}: dominated by nobody alone? Fronts: [0,2], [1,2], [2].
    expect([...nonDominatedCounts([[0, 2], [1, 2], [2]], [0.3, 0.3, 0.9]).entries()]).toEqual([[2, 3]]);
    // Two candidates each best somewhere survive; the weaker one sharing all its fronts goes.
    expect([...nonDominatedCounts([[0], [1], [0, 1, 2]], [0.5, 0.5, 0.2]).entries()]).toEqual([
      [0, 2],
      [1, 2],
    ]);
    // Identical candidates: the first one visited (lower aggregate, then lower id) is removed.
    expect([
      ...nonDominatedCounts(
        [
          [0, 1],
          [0, 1],
        ],
        [0.5, 0.5],
      ).entries(),
    ]).toEqual([[1, 2]]);
  });

  it('the incremental frontier agrees with the reference dominance filter on random populations', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 200; trial++) {
      const candidates = 2 + rng.int(40);
      const examples = 1 + rng.int(30);
      const levels = 1 + rng.int(4); // few score levels → many ties
      const frontier = new Frontier('instance');
      const aggregates: number[] = [];
      for (let c = 0; c < candidates; c++) {
        const scores = Array.from({ length: examples }, () => rng.int(levels + 1) / levels);
        aggregates.push(scores.reduce((a, b) => a + b, 0) / examples);
        frontier.add(c, { instance: scores, objectives: null });
      }
      expect([...frontier.nonDominated()]).toEqual([...nonDominatedCounts(frontier.fronts(), aggregates)]);
    }
  });

  it('pareto selection samples in proportion to fronts led', () => {
    const f = new Frontier('instance');
    f.add(0, { instance: [1, 1, 1, 0], objectives: null });
    f.add(1, { instance: [0, 0, 0, 1], objectives: null });
    const rng = new Rng(1);
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[paretoSelector.select({ frontier: f, aggregates: [0.75, 0.25], rng })]! += 1;
    expect(counts[0]! / 4000).toBeGreaterThan(0.7);
    expect(counts[0]! / 4000).toBeLessThan(0.8);
  });

  it('current_best breaks ties by the earliest candidate; epsilon_greedy and top_k_pareto behave as named', () => {
    expect(bestIndex([0.2, 0.9, 0.9])).toBe(1);
    const f = new Frontier('instance');
    for (const c of [0, 1, 2]) f.add(c, { instance: [c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0], objectives: null });
    const rng = new Rng(3);
    const picks = new Set<number>();
    for (let i = 0; i < 200; i++) picks.add(topKParetoSelector(2).select({ frontier: f, aggregates: [0.1, 0.5, 0.4], rng }));
    expect([...picks].sort()).toEqual([1, 2]);
    let random = 0;
    for (let i = 0; i < 1000; i++)
      if (epsilonGreedySelector(0.3).select({ frontier: f, aggregates: [0.1, 0.5, 0.4], rng }) !== 1) random++;
    expect(random / 1000).toBeGreaterThan(0.12);
    expect(random / 1000).toBeLessThan(0.28);
  });
});

describe('frontier types end to end', () => {
  it.each(['instance', 'objective', 'hybrid', 'cartesian'] as const)(
    '%s frontier runs on a multi-objective task',
    async (frontierType) => {
      const result = await optimize({
        ...factOptions({ trainset: factData(8), valset: factData(8) }).options,
        frontierType,
        maxMetricCalls: 60,
      });
      expect(result.bestScore).toBeGreaterThan(0);
      expect(result.totalMetricCalls).toBeLessThanOrEqual(60);
    },
  );

  it('objective frontier fails clearly when the adapter gives no objective scores', async () => {
    const { adapter, options } = factOptions();
    const plain = {
      evaluate: (batch: Parameters<typeof adapter.evaluate>[0], c: Record<string, string>, t: boolean) => {
        const { objectiveScores: _drop, ...rest } = adapter.evaluate(batch, c, t);
        return rest;
      },
      makeReflectiveDataset: adapter.makeReflectiveDataset.bind(adapter),
    };
    await expect(optimize({ ...options, adapter: plain, frontierType: 'objective' })).rejects.toThrow(/objectiveScores/);
  });
});
