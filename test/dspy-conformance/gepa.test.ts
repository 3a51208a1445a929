// Translated from stanfordnlp/dspy tests/teleprompt/test_gepa.py (own code).
import { chatReply, Example, GEPA, GEPAConfigError, Module, Predict, ProgramAdapter, ScriptedLM, withSettings } from 'tsdspy';
import { expect, vi } from 'vitest';
import { conformance } from './conformance.js';

vi.spyOn(console, 'info').mockImplementation(() => {});

const { dspy, deliberate, notApplicable } = conformance('tests/teleprompt/test_gepa.py');

class MultiComponentModule extends Module<{ input: string }, { category: string; output: string }> {
  classifier = new Predict('input -> category');
  generator = new Predict('category, input -> output');
  async forward({ input }: { input: string }) {
    const { category } = await this.classifier.call({ input });
    const { output } = await this.generator.call({ category, input });
    return { category, output };
  }
}
class SimpleModule extends Module<{ input: string }, { output: string }> {
  predictor = new Predict('input -> output');
  forward(inputs: { input: string }) {
    return this.predictor.call(inputs);
  }
}

const taskLM = () =>
  new ScriptedLM((request) => {
    const last = request.messages.at(-1)?.content ?? '';
    return last.includes('`[[ ## category ## ]]`')
      ? chatReply({ category: 'test_category' })
      : chatReply({ output: 'test_output' });
  });
const reflectionLM = (prompt: string) => `\`\`\`\nImproved instruction ${prompt.length % 97}\n\`\`\``;
const componentMetric = () => ({ score: 0.3, feedback: 'Test feedback' });
const trainset = [new Example({ input: 'test', output: 'expected' }).withInputs('input')];
const quiet = { displayProgress: false, seed: 0 } as const;

notApplicable('test_gepa_adapter_disables_logging_on_minibatch_eval', 'mlflow/DSPy logging switches inside the Python adapter');
dspy('test_gepa_adapter_forwards_sparse_objective_scores', async () => {
  const metric = (e: Record<string, unknown>) =>
    e.input === 'a' ? { score: 0.75, objectiveScores: { quality: 1, cost: 0.5 } } : { score: 0.25 };
  const adapter = new ProgramAdapter({
    student: new SimpleModule(),
    metric,
    concurrency: 2,
    failureScore: 0,
    addFormatFailureAsFeedback: true,
    warnOnScoreMismatch: false,
  });
  const lm = new ScriptedLM(() => chatReply({ output: 'x' }));
  const batch = [new Example({ input: 'a' }).withInputs('input'), new Example({ input: 'b' }).withInputs('input')];
  const evaluation = await withSettings({ lm }, () => adapter.evaluate(batch, new SimpleModule().namedParameters(), false));
  expect(evaluation.scores).toEqual([0.75, 0.25]);
  expect(evaluation.objectiveScores).toEqual([{ quality: 1, cost: 0.5 }, {}]);
});
dspy('test_gepa_flex_evaluation_forwards_metric_objective_scores', async () => {
  const metric = (e: Record<string, unknown>, p: Record<string, unknown>) => {
    const correct = e.output === p.output ? 1 : 0;
    return { score: correct, objectiveScores: { correctness: correct, incorrectness: 1 - correct } };
  };
  const lm = new ScriptedLM(() => chatReply({ output: 'answer' }));
  const data = [new Example({ input: 'question', output: 'answer' }).withInputs('input')];
  for (const frontierType of ['objective', 'hybrid', 'cartesian'] as const) {
    const compiled = await withSettings({ lm }, () =>
      new GEPA({ metric, reflectionLM, maxMetricCalls: 3, frontierType, ...quiet }).compile(new SimpleModule(), data, data),
    );
    expect(compiled.detailedResults?.valAggregateScores[0]).toBe(1);
  }
});
dspy('test_basic_workflow', async () => {
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({ metric: componentMetric, reflectionLM, maxMetricCalls: 6, ...quiet }).compile(
      new MultiComponentModule(),
      trainset,
      trainset,
    ),
  );
  expect(compiled).toBeInstanceOf(MultiComponentModule);
});
dspy('test_workflow_with_custom_instruction_proposer_and_component_selector', async () => {
  const proposed: string[][] = [];
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({
      metric: componentMetric,
      maxMetricCalls: 6,
      componentSelector: () => ['generator'],
      instructionProposer: (_candidate, _dataset, components) => {
        proposed.push([...components]);
        return Object.fromEntries(components.map((c) => [c, `custom ${c}`]));
      },
      ...quiet,
    }).compile(new MultiComponentModule(), trainset, trainset),
  );
  expect(compiled).toBeInstanceOf(MultiComponentModule);
  expect(proposed.flat().every((c) => c === 'generator')).toBe(true);
});
deliberate('test_metric_requires_feedback_signature', 'D14', () => {
  expect(() => new GEPA({ metric: 'nope' as never, reflectionLM, maxMetricCalls: 5 })).toThrow();
});
notApplicable('test_reflection_prompt_template_in_gepa_kwargs_raises', 'gepa_kwargs passthrough dict of the Python wrapper');
notApplicable('test_gepa_compile_with_track_usage_no_tuple_error', 'dspy track_usage tuple return regression');

dspy('test_component_selector_functionality', async () => {
  const calls: Array<{
    components: string[];
    candidateIdx: number;
    iteration: number;
    hasScores: boolean;
    hasTrajectories: boolean;
  }> = [];
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({
      metric: componentMetric,
      reflectionLM,
      maxMetricCalls: 6,
      componentSelector: (ctx) => {
        calls.push({
          components: Object.keys(ctx.candidate),
          candidateIdx: ctx.candidateIdx,
          iteration: ctx.iteration,
          hasScores: Array.isArray(ctx.scores),
          hasTrajectories: Array.isArray(ctx.trajectories),
        });
        return ctx.candidateIdx === 0 ? ['classifier'] : ['classifier', 'generator'];
      },
      ...quiet,
    }).compile(new MultiComponentModule(), trainset, trainset),
  );
  expect(calls.length).toBeGreaterThan(0);
  expect(calls[0]?.components).toEqual(['classifier', 'generator']);
  expect(calls[0]?.hasScores && calls[0]?.hasTrajectories).toBe(true);
  expect(compiled).toBeDefined();
});
dspy('test_component_selector_default_behavior', async () => {
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({ metric: componentMetric, reflectionLM, maxMetricCalls: 8, ...quiet }).compile(
      new MultiComponentModule(),
      trainset,
      trainset,
    ),
  );
  expect(compiled).toBeDefined();
});
dspy('test_component_selector_string_round_robin', async () => {
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({ metric: componentMetric, reflectionLM, maxMetricCalls: 8, componentSelector: 'round_robin', ...quiet }).compile(
      new MultiComponentModule(),
      trainset,
      trainset,
    ),
  );
  expect(compiled).toBeDefined();
});
dspy('test_component_selector_string_all', async () => {
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({ metric: componentMetric, reflectionLM, maxMetricCalls: 8, componentSelector: 'all', ...quiet }).compile(
      new MultiComponentModule(),
      trainset,
      trainset,
    ),
  );
  expect(compiled).toBeDefined();
});
dspy('test_component_selector_custom_random', async () => {
  let calls = 0;
  await withSettings({ lm: taskLM() }, () =>
    new GEPA({
      metric: componentMetric,
      reflectionLM,
      maxMetricCalls: 8,
      componentSelector: ({ candidate, rng }) => {
        calls++;
        const names = Object.keys(candidate);
        return [names[rng.int(names.length)] as string];
      },
      ...quiet,
    }).compile(new MultiComponentModule(), trainset, trainset),
  );
  expect(calls).toBeGreaterThan(0);
});
dspy('test_alternating_half_component_selector', async () => {
  const seen: string[][] = [];
  await withSettings({ lm: taskLM() }, () =>
    new GEPA({
      metric: componentMetric,
      reflectionLM,
      maxMetricCalls: 10,
      componentSelector: ({ iteration, candidate }) => {
        const names = Object.keys(candidate);
        const half = Math.ceil(names.length / 2);
        const pick = iteration % 2 === 0 ? names.slice(0, half) : names.slice(half);
        seen.push(pick);
        return pick;
      },
      ...quiet,
    }).compile(new MultiComponentModule(), trainset, trainset),
  );
  expect(seen.length).toBeGreaterThan(0);
});
dspy('a wrong componentSelector is refused before any budget is spent', async () => {
  const lm = taskLM();
  const make = (componentSelector: unknown) => () =>
    withSettings({ lm }, () =>
      new GEPA({
        metric: componentMetric,
        reflectionLM,
        maxMetricCalls: 8,
        componentSelector: componentSelector as never,
        ...quiet,
      }).compile(new MultiComponentModule(), trainset, trainset),
    );
  expect(make('rondrobin')).toThrow(GEPAConfigError);
  expect(make({ select: 'not a function' })).toThrow(GEPAConfigError);
  expect(lm.callCount).toBe(0);
  // A selector that answers with unknown component names is refused on its first use, naming the components.
  await expect(make(() => ['nope'])()).rejects.toThrow(/classifier, generator/);
});
dspy('test_track_stats_result_structure', async () => {
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({ metric: componentMetric, reflectionLM, maxMetricCalls: 6, trackStats: true, ...quiet }).compile(
      new MultiComponentModule(),
      trainset,
      trainset,
    ),
  );
  const d = compiled.detailedResults;
  expect(d?.candidates.length).toBeGreaterThanOrEqual(1);
  expect(d?.valAggregateScores.length).toBe(d?.candidates.length);
  expect(d?.parents[0]).toEqual([]);
  expect(d?.bestIdx).toBeGreaterThanOrEqual(0);
});
dspy('test_multi_objective_frontier_results', async () => {
  const metric = (e: Record<string, unknown>, p: Record<string, unknown>) => {
    const correct = e.output === p.output ? 1 : 0;
    return {
      score: (correct + 1) / 2,
      objectiveScores: { correctness: correct, incorrectness: 1 - correct },
      feedback: 'Return the expected answer.',
    };
  };
  const lm = new ScriptedLM((request) => {
    const system = request.messages[0]?.content ?? '';
    return chatReply({ output: system.includes('Improved') ? 'blue' : 'wrong' });
  });
  const data = [
    new Example({ input: 'What is the color of the sky?', output: 'blue' }).withInputs('input'),
    new Example({ input: 'What does the fox say?', output: 'Ring-ding-ding-ding-dingeringeding!' }).withInputs('input'),
  ];
  const compiled = await withSettings({ lm }, () =>
    new GEPA({
      metric,
      reflectionLM: () => '```\nImproved: answer blue\n```',
      maxMetricCalls: 8,
      frontierType: 'objective',
      ...quiet,
    }).compile(new SimpleModule(), data, data),
  );
  const result = compiled.detailedResults?.result;
  expect(result?.valAggregateSubscores?.[0]).toEqual({ correctness: 0, incorrectness: 1 });
  expect(result?.valAggregateSubscores?.[1]).toEqual({ correctness: 0.5, incorrectness: 0.5 });
});
dspy('test_track_best_outputs_result_structure', async () => {
  const compiled = await withSettings({ lm: taskLM() }, () =>
    new GEPA({ metric: componentMetric, reflectionLM, maxMetricCalls: 6, ...quiet }).compile(
      new MultiComponentModule(),
      trainset,
      trainset,
    ),
  );
  expect(compiled.detailedResults?.perValInstanceBestCandidates.length).toBe(1);
});
notApplicable('test_gepa_rejects_unsupported_reflection_cost_budget', 'litellm cost-based budget option of the Python wrapper');
notApplicable('test_adapter_state_round_trips_rng', 'pickled Python random.Random state inside the adapter');
notApplicable('test_batch_evaluate_is_parallel_and_preserves_context', 'Python thread pool context propagation');
