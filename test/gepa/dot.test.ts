import { GEPAResult, lineageDot, optimize } from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { factOptions } from '../support/fact-task.js';

const edges = (dot: string) =>
  [...dot.matchAll(/c(\d+) -> c(\d+)( \[style=dashed\])?;/g)].map((m) => [Number(m[1]), Number(m[2]), Boolean(m[3])]);

describe('toDot', () => {
  it('draws one node per candidate, an edge per parent, the best filled and merges dashed', () => {
    const result = GEPAResult.fromJSON({
      format: 'tsdspy.gepa-result',
      version: 1,
      bestIdx: 3,
      candidates: [{ p: 'a' }, { p: 'b' }, { p: 'c' }, { p: 'd' }],
      parents: [[], [0], [0], [1, 2]],
      valIds: [0],
      valAggregateScores: [0.1, 0.4, 0.5, 0.9],
      valSubscores: [[0.1], [0.4], [0.5], [0.9]],
      perValInstanceBestCandidates: [[3]],
      discoveryEvalCounts: [0, 10, 20, 30],
      totalMetricCalls: 40,
      numFullValEvals: 4,
      iterations: 3,
      stopReason: 'done',
      bestOutputsValset: null,
      runDir: null,
      seed: 0,
    });
    const dot = result.toDot();
    expect(dot.startsWith('digraph "GEPA lineage" {')).toBe(true);
    expect(dot.trim().endsWith('}')).toBe(true);
    expect(edges(dot)).toEqual([
      [0, 1, false],
      [0, 2, false],
      [1, 3, true],
      [2, 3, true],
    ]);
    expect(dot).toMatch(/c3 \[label="#3\\n0\.900\\n@30 calls", fillcolor="#ffd966", penwidth=2, shape=hexagon\];/);
    expect(dot).not.toMatch(/c0 \[[^\]]*fillcolor="#ffd966"/);
  });

  it('matches the lineage of a real run', async () => {
    const { options } = factOptions({ maxMetricCalls: 60 });
    const result = await optimize(options);
    const dot = result.toDot();
    expect([...dot.matchAll(/^ {2}c\d+ \[/gm)]).toHaveLength(result.candidates.length);
    expect(edges(dot).map(([p, c]) => [p, c])).toEqual(
      result.parents.flatMap((parents, child) => parents.map((p) => [p, child])),
    );
    expect(lineageDot({ parents: result.parents, scores: result.valAggregateScores, bestIdx: result.bestIdx })).toContain(
      `c${result.bestIdx} [label="#${result.bestIdx}`,
    );
  });
});
