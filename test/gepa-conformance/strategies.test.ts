import {
  allComponentsSelector,
  type BatchSampler,
  type ComponentSelector,
  epochShuffledSampler,
  GEPAConfigError,
  improvementOrEqual,
  optimize,
  Rng,
  resolveAcceptance,
  strictImprovement,
} from 'tsdspy';
import { describe, expect } from 'vitest';
import { differs, notApplicable, same, twoComponentTask } from './support.js';

/** Runs the two-component task briefly and returns the components and minibatch sizes of each proposal. */
async function run(options: Record<string, unknown> = {}) {
  const { data, adapter, reflectionLM } = twoComponentTask();
  const proposals: string[][] = [];
  const minibatches: number[] = [];
  await optimize({
    seedCandidate: { a: 'start', b: 'start' },
    trainset: data,
    adapter,
    reflectionLM,
    maxMetricCalls: 60,
    displayProgress: false,
    callbacks: [
      {
        proposal: (e) => proposals.push(e.components),
        minibatchEvaluated: (e) => {
          if (e.role === 'parent') minibatches.push(e.ids.length);
        },
      },
    ],
    ...options,
  });
  return { proposals, minibatches };
}

describe('gepa tests/test_module_selector.py', () => {
  same('test_module_selector_default_round_robin', async () => {
    const { proposals } = await run();
    expect(proposals.length).toBeGreaterThan(1);
    expect(proposals.every((c) => c.length === 1)).toBe(true);
  });

  same('test_module_selector_string_round_robin', async () => {
    const { proposals } = await run({ moduleSelector: 'round_robin' });
    expect(proposals.every((c) => c.length === 1)).toBe(true);
  });

  same('test_module_selector_string_all', async () => {
    const { proposals } = await run({ moduleSelector: 'all' });
    expect(proposals.length).toBeGreaterThan(0);
    expect(proposals.every((c) => c.join() === 'a,b')).toBe(true);
  });

  same('test_module_selector_custom_instance', async () => {
    const custom: ComponentSelector = { name: 'only-b', select: () => ['b'] };
    const { proposals } = await run({ moduleSelector: custom });
    expect(proposals.length).toBeGreaterThan(0);
    expect(proposals.every((c) => c.join() === 'b')).toBe(true);
  });

  same('test_all_reflection_component_selector_behavior', () => {
    const result = allComponentsSelector.select({
      candidateIdx: 0,
      components: ['component1', 'component2', 'component3'],
      cursor: [0],
      rng: new Rng(0),
    });
    expect(result).toEqual(['component1', 'component2', 'component3']);
  });

  same('test_module_selector_invalid_string_raises_error', async () => {
    await expect(run({ moduleSelector: 'invalid_strategy' })).rejects.toThrow(GEPAConfigError);
  });

  same('test_batch_sampler_configuration', async () => {
    expect((await run()).minibatches.every((n) => n === 3)).toBe(true);
    expect((await run({ reflectionMinibatchSize: 7 })).minibatches.every((n) => n === 7)).toBe(true);
    expect((await run({ batchSampler: 'epoch_shuffled', reflectionMinibatchSize: 5 })).minibatches.every((n) => n === 5)).toBe(
      true,
    );
    let used = 0;
    const custom: BatchSampler = {
      name: 'custom',
      next: (ids, size, state, rng) => {
        used++;
        return epochShuffledSampler.next(ids, size, state, rng);
      },
    };
    await run({ batchSampler: custom });
    expect(used).toBeGreaterThan(0);
  });

  differs('sampler-minibatch-size', 'test_batch_sampler_invalid_configuration', async () => {
    // gepa refuses reflectionMinibatchSize with a custom sampler; tsdspy hands the size to the sampler.
    const sizes: number[] = [];
    const custom: BatchSampler = {
      name: 'custom',
      next: (ids, size, state, rng) => {
        sizes.push(size);
        return epochShuffledSampler.next(ids, size, state, rng);
      },
    };
    await run({ batchSampler: custom, reflectionMinibatchSize: 2 });
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes.every((n) => n === 2)).toBe(true);
  });
});

describe('gepa tests/test_batch_sampler.py', () => {
  differs('static-trainset', 'test_epoch_sampler_refreshes_when_loader_expands', () => {
    // The trainset's ids are read once at the start of a run; every minibatch comes from them.
    const ids = ['a', 'b', 'c', 'd'];
    let state = null as Parameters<BatchSampler['next']>[2];
    const rng = new Rng(0);
    const seen = new Set<string | number>();
    for (let i = 0; i < 4; i++) {
      const next = epochShuffledSampler.next(ids, 2, state, rng);
      state = next.state;
      for (const id of next.ids) seen.add(id);
      expect(next.ids).toHaveLength(2);
    }
    expect([...seen].sort()).toEqual(ids);
  });

  same('test_epoch_sampler_errors_when_loader_empty', async () => {
    await expect(run({ trainset: [] })).rejects.toThrow(GEPAConfigError);
  });

  same('test_repeated_calls_within_iteration_return_distinct_minibatches (first three calls)', () => {
    const ids = [0, 1, 2, 3, 4, 5];
    let state = null as Parameters<BatchSampler['next']>[2];
    const rng = new Rng(0);
    const batches: string[] = [];
    const all = new Set<string | number>();
    for (let i = 0; i < 3; i++) {
      const next = epochShuffledSampler.next(ids, 2, state, rng);
      state = next.state;
      batches.push(next.ids.join());
      for (const id of next.ids) all.add(id);
    }
    expect(new Set(batches).size).toBe(3);
    expect(all.size).toBe(6);
  });

  differs('sampler-state', 'test_repeated_calls_within_iteration_return_distinct_minibatches (fourth call wraps)', () => {
    // gepa's sampler is keyed by the iteration number, so a fourth call in one iteration repeats the first chunk;
    // tsdspy's sampler is a saved state machine, so the fourth call starts the next epoch with a new order.
    const ids = [0, 1, 2, 3, 4, 5];
    let state = null as Parameters<BatchSampler['next']>[2];
    const rng = new Rng(0);
    for (let i = 0; i < 3; i++) state = epochShuffledSampler.next(ids, 2, state, rng).state;
    const fourth = epochShuffledSampler.next(ids, 2, state, rng);
    expect(fourth.state.epoch).toBe(1);
  });

  differs('sampler-state', 'test_extra_calls_do_not_perturb_later_iterations', () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    const single = epochShuffledSampler.next(ids, 3, null, new Rng(0));
    const multiRng = new Rng(0);
    const first = epochShuffledSampler.next(ids, 3, null, multiRng);
    const extra = epochShuffledSampler.next(ids, 3, first.state, multiRng);
    expect(first.ids).toEqual(single.ids);
    expect(extra.ids).not.toEqual(single.ids);
  });
});

describe('gepa tests/test_acceptance_criterion.py', () => {
  same('TestStrictImprovementAcceptance::test_accepts_strict_improvement', () => {
    expect(strictImprovement([0.5, 0.3], [0.6, 0.4])).toBe(true);
  });
  same('TestStrictImprovementAcceptance::test_rejects_equal_scores', () => {
    expect(strictImprovement([0.5, 0.3], [0.5, 0.3])).toBe(false);
  });
  same('TestStrictImprovementAcceptance::test_rejects_worse_scores', () => {
    expect(strictImprovement([0.5, 0.3], [0.4, 0.2])).toBe(false);
  });
  notApplicable('acceptance-none-scores', 'TestStrictImprovementAcceptance::test_handles_none_scores');
  same('TestStrictImprovementAcceptance::test_accepts_marginal_improvement', () => {
    expect(strictImprovement([0.5, 0.3], [0.5, 0.3001])).toBe(true);
  });
  same('TestImprovementOrEqualAcceptance::test_accepts_improvement', () => {
    expect(improvementOrEqual([0.5, 0.3], [0.6, 0.4])).toBe(true);
  });
  same('TestImprovementOrEqualAcceptance::test_accepts_equal_scores', () => {
    expect(improvementOrEqual([0.5, 0.3], [0.5, 0.3])).toBe(true);
  });
  same('TestImprovementOrEqualAcceptance::test_rejects_worse_scores', () => {
    expect(improvementOrEqual([0.5, 0.3], [0.4, 0.2])).toBe(false);
  });
  same('TestProtocolConformance::test_strict_improvement_is_acceptance_criterion', () => {
    expect(resolveAcceptance('strict_improvement')).toBe(strictImprovement);
  });
  same('TestProtocolConformance::test_improvement_or_equal_is_acceptance_criterion', () => {
    expect(resolveAcceptance('improvement_or_equal')).toBe(improvementOrEqual);
  });
  for (const name of [
    'test_custom_criterion_using_objective_scores',
    'test_custom_criterion_using_outputs',
    'test_custom_criterion_using_trajectories',
    'test_custom_criterion_using_state',
  ]) {
    differs('acceptance-signature', `TestProtocolConformance::${name}`, async () => {
      // A custom criterion sees the parent's and the child's minibatch scores only.
      const seen: Array<[readonly number[], readonly number[]]> = [];
      await run({
        acceptanceCriterion: (parent: readonly number[], child: readonly number[]) => {
          seen.push([parent, child]);
          return false;
        },
      });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every(([p, c]) => p.length === 3 && c.length === 3)).toBe(true);
    });
  }
  notApplicable('subsample-evaluation-type', 'TestSubsampleEvaluation::test_defaults');
  notApplicable('subsample-evaluation-type', 'TestSubsampleEvaluation::test_full_construction');
});
