import { type GEPAEvent, optimize } from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { FactAdapter, factData, factOptions, factReflection } from '../support/fact-task.js';
import { withFakeTTY } from '../support/fake-tty.js';

describe('GEPA engine loop', () => {
  it('improves the candidate using facts only present in the feedback', async () => {
    // Val and train share keys here, so facts learned from train feedback transfer to the valset.
    const { adapter, options } = factOptions({ trainset: factData(8), valset: factData(8), maxMetricCalls: 120 });
    const result = await optimize(options);
    expect(result.valAggregateScores[0]).toBe(0);
    expect(result.bestScore).toBeGreaterThan(0.5);
    expect(result.bestCandidate.prompt).toMatch(/^Facts:\nk\d+: v\d+/);
    expect(result.candidates.length).toBeGreaterThan(1);
    expect(result.parents[0]).toEqual([]);
    for (const p of result.parents.slice(1)) expect(p).toHaveLength(1);
    expect(result.totalMetricCalls).toBe(adapter.seen);
    expect(result.totalMetricCalls).toBeLessThanOrEqual(120);
    expect(result.numFullValEvals).toBe(result.candidates.length);
  });

  it('evaluates the child on the same minibatch as its parent, and only accepted children on the valset', async () => {
    const events: GEPAEvent[] = [];
    const { adapter, options } = factOptions({ callbacks: [{ onEvent: (e) => events.push(e) }], maxMetricCalls: 60 });
    const result = await optimize(options);
    const minibatches = events.filter((e) => e.type === 'minibatchEvaluated');
    for (let i = 0; i + 1 < minibatches.length; i++) {
      const [a, b] = [minibatches[i], minibatches[i + 1]];
      if (a?.type === 'minibatchEvaluated' && a.role === 'parent' && b?.type === 'minibatchEvaluated' && b.role === 'child') {
        expect(b.ids).toEqual(a.ids);
      }
    }
    const accepted = events.filter((e) => e.type === 'candidateAccepted').length;
    const valEvals = events.filter((e) => e.type === 'valsetEvaluated').length;
    expect(valEvals).toBe(accepted + 1); // + the seed
    expect(result.candidates).toHaveLength(accepted + 1);
    // Parent runs capture traces; child and valset runs do not.
    expect(adapter.calls.filter((c) => c.captureTraces).length).toBe(
      minibatches.filter((e) => e.type === 'minibatchEvaluated' && e.role === 'parent').length,
    );
  });

  it('skips reflection when the parent is perfect on the minibatch', async () => {
    const known = factData(6)
      .map((f) => `${f.key}: ${f.answer}`)
      .join('\n');
    const events: string[] = [];
    const result = await optimize({
      ...factOptions().options,
      seedCandidate: { prompt: `Facts:\n${known}` },
      trainset: factData(6),
      valset: factData(6),
      maxMetricCalls: 30,
      reflectionLM: () => {
        throw new Error('reflection must not run');
      },
      callbacks: [{ skippedPerfect: (e) => events.push(`skip:${e.candidateIdx}`) }],
    });
    expect(events.length).toBeGreaterThan(0);
    expect(result.candidates).toHaveLength(1);
    expect(result.totalMetricCalls).toBeLessThanOrEqual(30);
  });

  it('rejects children that do not strictly improve, and accepts ties with improvement_or_equal', async () => {
    // A new text that scores exactly like its parent (an unchanged text would not even be evaluated).
    let version = 0;
    const same = (prompt: string) => `\`\`\`\n${/```\n([\s\S]*?)\n```/.exec(prompt)?.[1]}\nnote ${++version}\n\`\`\``;
    const strict = await optimize({ ...factOptions().options, reflectionLM: same, maxMetricCalls: 40 });
    expect(strict.candidates).toHaveLength(1);
    const lenient = await optimize({
      ...factOptions().options,
      reflectionLM: same,
      maxMetricCalls: 40,
      acceptanceCriterion: 'improvement_or_equal',
    });
    expect(lenient.candidates.length).toBeGreaterThan(1);
    const custom = await optimize({ ...factOptions().options, maxMetricCalls: 40, acceptanceCriterion: () => false });
    expect(custom.candidates).toHaveLength(1);
  });

  it('uses a custom candidate proposer instead of reflection', async () => {
    const seen: string[][] = [];
    const result = await optimize({
      ...factOptions().options,
      reflectionLM: undefined,
      maxMetricCalls: 40,
      customCandidateProposer: ({ candidate, componentsToUpdate, reflectiveDataset }) => {
        seen.push([...componentsToUpdate]);
        const facts = JSON.stringify(reflectiveDataset).match(/FACT \w+: \w+/g) ?? [];
        return { prompt: `${candidate.prompt}\n${facts.map((f) => f.slice(5)).join('\n')}` };
      },
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((c) => c.length === 1 && c[0] === 'prompt')).toBe(true);
    expect(result.candidates.length).toBeGreaterThan(1);
  });

  it('rotates components round robin per candidate, or updates all of them', async () => {
    const rotations: string[][] = [];
    const base = factOptions({
      seedCandidate: { a: 'Facts:', b: 'Facts:' },
      trainset: factData(12, ['a', 'b']),
      valset: factData(8, ['a', 'b']),
    });
    await optimize({
      ...base.options,
      candidateSelectionStrategy: { name: 'seed-only', select: () => 0 },
      acceptanceCriterion: () => false,
      maxMetricCalls: 8 + 6 * 4,
      callbacks: [{ proposal: (e) => rotations.push(e.components) }],
    });
    expect(rotations).toEqual([['a'], ['b'], ['a'], ['b']]);
    const all: string[][] = [];
    await optimize({
      ...base.options,
      moduleSelector: 'all',
      acceptanceCriterion: () => false,
      maxMetricCalls: 8 + 6 * 2,
      callbacks: [{ proposal: (e) => all.push(e.components) }],
    });
    expect(all).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('accepts a DataLoader for large sets', async () => {
    const data = factData(10);
    const loaderCalls: string[][] = [];
    const loader = {
      ids: () => data.map((d) => d.key),
      fetch: (ids: readonly (string | number)[]) => {
        loaderCalls.push(ids.map(String));
        return ids.map((id) => data.find((d) => d.key === id) as (typeof data)[number]);
      },
    };
    const result = await optimize({ ...factOptions().options, trainset: loader, valset: loader, maxMetricCalls: 40 });
    expect(result.valIds).toEqual(data.map((d) => d.key));
    expect(loaderCalls[0]).toEqual(data.map((d) => d.key));
    expect(result.bestScore).toBeGreaterThan(0);
  });

  it('keeps the best outputs per validation instance when asked', async () => {
    const result = await optimize({ ...factOptions().options, trackBestOutputs: true, maxMetricCalls: 60 });
    expect(result.bestOutputsValset).toHaveLength(8);
    for (const [v, entries] of (result.bestOutputsValset ?? []).entries()) {
      expect(entries.map((e) => e.candidate).sort()).toEqual([...(result.perValInstanceBestCandidates[v] ?? [])].sort());
    }
  });

  it('writes a result that round-trips through JSON', async () => {
    const { GEPAResult } = await import('tsdspy');
    const result = await optimize(factOptions().options);
    const again = GEPAResult.fromJSON(JSON.parse(JSON.stringify(result)));
    expect(again.toJSON()).toEqual(result.toJSON());
    expect(again.bestCandidate).toEqual(result.bestCandidate);
  });

  it('never re-runs or re-counts cached (candidate, example) pairs', async () => {
    const adapter = new FactAdapter();
    // Always the same child for the same parent, scoring like it: rejected, proposed again on later minibatches,
    // and with the cache each (child, example) pair runs once.
    const same = (prompt: string) => `\`\`\`\n${/```\n([\s\S]*?)\n```/.exec(prompt)?.[1]}\nextra line\n\`\`\``;
    let proposals = 0;
    const result = await optimize({
      ...factOptions({ adapter }).options,
      reflectionLM: same,
      cacheEvaluation: true,
      maxMetricCalls: 80,
      callbacks: [{ proposal: () => proposals++ }],
    });
    const childCalls = adapter.calls.filter((c) => !c.captureTraces).slice(1); // after the seed's valset run
    const childKeys = childCalls.flatMap((c) => c.keys);
    expect(proposals).toBeGreaterThan(childCalls.length);
    expect(new Set(childKeys).size).toBe(childKeys.length);
    expect(result.totalMetricCalls).toBe(adapter.seen);
    expect(result.iterations).toBeGreaterThan(5);
    expect(factReflection).toBeTypeOf('function');
  });
});

describe('progress display', () => {
  it('shows metric calls, iteration and best score on a TTY only', async () => {
    const { progressCallback } = await import('../../optimizers/gepa/progress.js');
    const written = await withFakeTTY(async (tty) => {
      const callback = progressCallback(80, tty);
      expect(callback).not.toBeNull();
      await optimize({ ...factOptions().options, callbacks: [callback as NonNullable<typeof callback>], maxMetricCalls: 30 });
    });
    expect(written).toMatch(/GEPA .*metric calls · iteration \d+ · best/);
    expect(progressCallback(80, { isTTY: false } as NodeJS.WriteStream)).toBeNull();
  });
});
