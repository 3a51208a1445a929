import { AdapterEvaluationError, GEPAConfigError, type GEPAEvent, optimize, stopWhen, UnknownComponentError } from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { FactAdapter, factData, factOptions } from '../support/fact-task.js';

const twoComponents = (overrides: Parameters<typeof factOptions>[0] = {}) =>
  factOptions({
    seedCandidate: { a: 'Facts:', b: 'Facts:' },
    trainset: factData(8, ['a', 'b']),
    valset: factData(8, ['a', 'b']),
    maxMetricCalls: 500,
    useMerge: true,
    mergeValOverlapFloor: 4,
    candidateSelectionStrategy: { name: 'seed', select: () => 0 },
    ...overrides,
  });

describe('merge', () => {
  it('combines two parents that improved different components of a shared ancestor', async () => {
    const events: GEPAEvent[] = [];
    const { options } = twoComponents({ stopWhen: stopWhen.maxIterations(3), callbacks: [{ onEvent: (e) => events.push(e) }] });
    const result = await optimize(options);
    const [seed, c1, c2, merged] = result.candidates;
    expect(result.parents).toEqual([[], [0], [0], [1, 2]]);
    expect(c1?.a).not.toBe(seed?.a);
    expect(c1?.b).toBe(seed?.b);
    expect(c2?.b).not.toBe(seed?.b);
    expect(c2?.a).toBe(seed?.a);
    expect(merged).toEqual({ a: c1?.a, b: c2?.b });
    expect(result.valAggregateScores[3]).toBeGreaterThan(Math.max(result.valAggregateScores[1]!, result.valAggregateScores[2]!));
    const attempted = events.find((e) => e.type === 'mergeAttempted');
    expect(attempted).toMatchObject({ parents: [1, 2], ancestor: 0 });
    const mergeRun = events.find((e) => e.type === 'minibatchEvaluated' && e.role === 'merge');
    expect(mergeRun?.type === 'minibatchEvaluated' && mergeRun.ids.length).toBe(4);
    expect(events.some((e) => e.type === 'mergeAccepted')).toBe(true);
  });

  it('never repeats a tried triplet and stops after maxMergeInvocations', async () => {
    const events: GEPAEvent[] = [];
    const { options } = twoComponents({
      // Random parents make a branching tree, so many pairs share ancestors.
      candidateSelectionStrategy: { name: 'uniform', select: ({ aggregates, rng }) => rng.int(aggregates.length) },
      trainset: factData(16, ['a', 'b']),
      valset: factData(16, ['a', 'b']),
      maxMergeInvocations: 2,
      stopWhen: stopWhen.maxIterations(30),
      callbacks: [{ onEvent: (e) => events.push(e) }],
    });
    await optimize(options);
    const triplets = events.flatMap((e) => (e.type === 'mergeAttempted' ? [`${e.parents.join(',')},${e.ancestor}`] : []));
    expect(triplets.length).toBeGreaterThanOrEqual(2);
    expect(new Set(triplets).size).toBe(triplets.length);
    expect(events.filter((e) => e.type === 'mergeAccepted').length).toBeLessThanOrEqual(2);
  });

  it('does not merge when useMerge is off', async () => {
    const result = await optimize(twoComponents({ useMerge: false, stopWhen: stopWhen.maxIterations(3) }).options);
    expect(result.parents.every((p) => p.length <= 1)).toBe(true);
  });
});

describe('errors', () => {
  const throwing = (what: 'throw' | 'nan' | 'length') => {
    const inner = new FactAdapter();
    return {
      evaluate: (batch: Parameters<FactAdapter['evaluate']>[0], c: Record<string, string>, t: boolean) => {
        const out = inner.evaluate(batch, c, t);
        if (!t) return out; // the seed's valset run succeeds; the traced minibatch run misbehaves
        if (what === 'throw') throw new Error('backend down');
        if (what === 'nan') return { ...out, scores: out.scores.map(() => Number.NaN) };
        return { ...out, scores: out.scores.slice(1) };
      },
      makeReflectiveDataset: inner.makeReflectiveDataset.bind(inner),
    };
  };

  it.each([
    ['throw', /evaluate threw on batch \[\d+, \d+, \d+\]: backend down/],
    ['nan', /non-finite score \(NaN\)/],
    ['length', /returned 2 scores for 3 examples/],
  ] as const)('adapter %s → AdapterEvaluationError naming the adapter and batch', async (what, message) => {
    const run = optimize({ ...factOptions().options, adapter: throwing(what) });
    await expect(run).rejects.toThrow(AdapterEvaluationError);
    await expect(optimize({ ...factOptions().options, adapter: throwing(what) })).rejects.toThrow(message);
  });

  it('with raiseOnException: false, failing iterations are logged and the run goes on', async () => {
    const errors: string[] = [];
    const result = await optimize({
      ...factOptions().options,
      adapter: throwing('throw'),
      raiseOnException: false,
      maxMetricCalls: 20,
      callbacks: [{ error: (e) => errors.push(e.message) }],
    });
    expect(errors.length).toBe(4); // (20 - 8) / 3 minibatches, each failing
    expect(result.candidates).toHaveLength(1);
    expect(result.totalMetricCalls).toBe(20);
  });

  it('refuses bad setups before spending any budget', async () => {
    const adapter = new FactAdapter();
    const base = factOptions({ adapter }).options;
    await expect(optimize({ ...base, trainset: [] })).rejects.toThrow(/trainset is empty/);
    await expect(optimize({ ...base, valset: [] })).rejects.toThrow(/valset is empty/);
    await expect(optimize({ ...base, seedCandidate: {} })).rejects.toThrow(/seedCandidate is empty/);
    await expect(optimize({ ...base, reflectionMinibatchSize: 0 })).rejects.toThrow(GEPAConfigError);
    await expect(optimize({ ...base, reflectionPromptTemplate: 'no placeholders' })).rejects.toThrow(/<curr_param>/);
    await expect(optimize({ ...base, reflectionPromptTemplate: { nope: '<curr_param> <side_info>' } })).rejects.toThrow(/"nope"/);
    await expect(optimize({ ...base, reflectionLM: undefined })).rejects.toThrow(/reflectionLM/);
    await expect(optimize({ ...base, adapter: undefined })).rejects.toThrow(/adapter, or a taskLM/);
    expect(adapter.seen).toBe(0);
  });

  it('a proposer returning an unknown component is a named error', async () => {
    await expect(optimize({ ...factOptions().options, customCandidateProposer: () => ({ other: 'x' }) })).rejects.toThrow(
      UnknownComponentError,
    );
  });

  it('an unknown provider name for the reflection LM explains how to fix it', async () => {
    await expect(optimize({ ...factOptions().options, reflectionLM: 'nosuch/model' })).rejects.toThrow(/No provider "nosuch"/);
  });
});
