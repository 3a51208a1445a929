import { ConfidenceAdapter, GEPAConfigError, LinearBlendScoring, ScriptedLM, SigmoidScoring, ThresholdScoring } from 'tsdspy';
import { describe, expect } from 'vitest';
import { differs, notApplicable, same } from './support.js';

const LABELS = ['Food', 'Bills', 'Shopping'];

/** A structured reply `{"label": "<label>"}` whose label tokens carry probability `p`, `rival` taking the rest. */
function reply(label: string, p?: number, rival?: string) {
  const text = `{"label": "${label}"}`;
  if (p === undefined) return { text };
  return {
    text,
    logprobs: [
      { token: '{"label": "', logprob: 0 },
      {
        token: label,
        logprob: Math.log(p),
        top: [{ token: label, logprob: Math.log(p) }, ...(rival ? [{ token: rival, logprob: Math.log(1 - p) }] : [])],
      },
      { token: '"}', logprob: 0 },
    ],
  };
}

const adapterFor = (replies: Array<ReturnType<typeof reply> | (() => never)>, options: Record<string, unknown> = {}) => {
  let i = 0;
  return new ConfidenceAdapter({
    taskLM: new ScriptedLM(() => {
      const next = replies[i++ % replies.length];
      if (typeof next === 'function') return next();
      return { completions: [next as ReturnType<typeof reply>] };
    }),
    labels: LABELS,
    concurrency: 1,
    ...options,
  });
};

describe('gepa tests/test_confidence_adapter/test_scoring.py', () => {
  same('protocol: the three strategies score (isCorrect, confidence) and describe themselves', () => {
    for (const s of [new LinearBlendScoring(), new ThresholdScoring(), new SigmoidScoring()]) {
      expect(s.score(true, 0.9)).toBeTypeOf('number');
      expect(s.describe()).toBeTypeOf('string');
    }
  });
  same('LinearBlend: incorrect always zero', () => {
    const s = new LinearBlendScoring();
    expect([s.score(false, Math.exp(-0.01)), s.score(false, Math.exp(-5)), s.score(false, undefined)]).toEqual([0, 0, 0]);
  });
  same('LinearBlend: correct with no logprob returns one', () => expect(new LinearBlendScoring().score(true, undefined)).toBe(1));
  same('LinearBlend: correct with high confidence returns one', () => {
    const s = new LinearBlendScoring({ lowConfidenceThreshold: 0.5 });
    expect([s.score(true, Math.exp(-0.01)), s.score(true, Math.exp(-0.1)), s.score(true, 1)]).toEqual([1, 1, 1]);
  });
  same('LinearBlend: correct at the threshold returns one', () => {
    expect(new LinearBlendScoring({ lowConfidenceThreshold: 0.5 }).score(true, 0.5)).toBe(1);
  });
  same('LinearBlend: below the threshold interpolates', () => {
    const s = new LinearBlendScoring({ lowConfidenceThreshold: 0.5, minScoreOnCorrect: 0.3 });
    const p = Math.exp(-1.5);
    expect(s.score(true, p)).toBeCloseTo(0.3 + 0.7 * (p / 0.5));
  });
  same('LinearBlend: very low logprob gives about the minimum score', () => {
    const s = new LinearBlendScoring({ lowConfidenceThreshold: 0.5, minScoreOnCorrect: 0.3 });
    expect(s.score(true, Math.exp(-20))).toBeCloseTo(0.3, 2);
  });
  same('LinearBlend: score range is [0, 1]', () => {
    const s = new LinearBlendScoring();
    for (const correct of [true, false])
      for (const lp of [0, -0.1, -1, -5, -50]) {
        const r = s.score(correct, Math.exp(lp));
        expect(r >= 0 && r <= 1).toBe(true);
      }
  });
  same('LinearBlend: describe includes the parameters', () => {
    const d = new LinearBlendScoring({ lowConfidenceThreshold: 0.6, minScoreOnCorrect: 0.2 }).describe();
    expect(d).toContain('0.6');
    expect(d).toContain('0.2');
  });
  same('LinearBlend: invalid threshold raises', () => {
    expect(() => new LinearBlendScoring({ lowConfidenceThreshold: 0 })).toThrow(GEPAConfigError);
    expect(() => new LinearBlendScoring({ lowConfidenceThreshold: 1.5 })).toThrow(GEPAConfigError);
  });
  same('LinearBlend: invalid min score raises', () => {
    expect(() => new LinearBlendScoring({ minScoreOnCorrect: -0.1 })).toThrow(GEPAConfigError);
    expect(() => new LinearBlendScoring({ minScoreOnCorrect: 1 })).toThrow(GEPAConfigError);
  });
  same('LinearBlend: monotonically increasing with the logprob', () => {
    const s = new LinearBlendScoring({ lowConfidenceThreshold: 0.8, minScoreOnCorrect: 0.1 });
    let prev = -1;
    for (const lp of [-10, -5, -2, -1, -0.5, -0.2, 0]) {
      const score = s.score(true, Math.exp(lp));
      expect(score).toBeGreaterThanOrEqual(prev);
      prev = score;
    }
  });
  same('Threshold: incorrect always zero', () => {
    const s = new ThresholdScoring({ threshold: 0.7 });
    expect([s.score(false, Math.exp(-0.01)), s.score(false, undefined)]).toEqual([0, 0]);
  });
  same('Threshold: correct with no logprob returns one', () => expect(new ThresholdScoring().score(true, undefined)).toBe(1));
  same('Threshold: correct at or above the threshold returns one', () => {
    const s = new ThresholdScoring({ threshold: 0.7 });
    expect([s.score(true, 0.7), s.score(true, Math.exp(-0.01))]).toEqual([1, 1]);
  });
  same('Threshold: correct below the threshold returns zero', () => {
    const s = new ThresholdScoring({ threshold: 0.7 });
    expect([s.score(true, 0.69), s.score(true, Math.exp(-5))]).toEqual([0, 0]);
  });
  same('Threshold: describe includes the threshold', () =>
    expect(new ThresholdScoring({ threshold: 0.8 }).describe()).toContain('0.8'),
  );
  same('Threshold: invalid threshold raises', () => {
    expect(() => new ThresholdScoring({ threshold: 0 })).toThrow(GEPAConfigError);
    expect(() => new ThresholdScoring({ threshold: 1.5 })).toThrow(GEPAConfigError);
  });
  same('Sigmoid: incorrect always zero', () => {
    const s = new SigmoidScoring();
    expect([s.score(false, Math.exp(-0.01)), s.score(false, undefined)]).toEqual([0, 0]);
  });
  same('Sigmoid: correct with no logprob returns one', () => expect(new SigmoidScoring().score(true, undefined)).toBe(1));
  same('Sigmoid: at the midpoint probability returns one half', () => {
    expect(new SigmoidScoring({ midpoint: 0.5, steepness: 10 }).score(true, 0.5)).toBeCloseTo(0.5, 6);
  });
  same('Sigmoid: high confidence approaches one', () => {
    expect(new SigmoidScoring({ midpoint: 0.5, steepness: 10 }).score(true, Math.exp(-0.001))).toBeGreaterThan(0.98);
  });
  same('Sigmoid: low confidence approaches zero', () => {
    expect(new SigmoidScoring({ midpoint: 0.5, steepness: 10 }).score(true, Math.exp(-10))).toBeLessThan(0.02);
  });
  same('Sigmoid: monotonically increasing for correct answers', () => {
    const s = new SigmoidScoring();
    let prev = -1;
    for (const lp of [-5, -2, -1, -0.5, -0.1]) {
      const score = s.score(true, Math.exp(lp));
      expect(score).toBeGreaterThan(prev);
      prev = score;
    }
  });
  same('Sigmoid: describe includes the parameters', () => {
    const d = new SigmoidScoring({ midpoint: 0.4, steepness: 12 }).describe();
    expect(d).toContain('0.4');
    expect(d).toContain('12');
  });
  same('Sigmoid: invalid midpoint raises', () => {
    expect(() => new SigmoidScoring({ midpoint: 0 })).toThrow(GEPAConfigError);
    expect(() => new SigmoidScoring({ midpoint: 1 })).toThrow(GEPAConfigError);
  });
  same('Sigmoid: invalid steepness raises', () => {
    expect(() => new SigmoidScoring({ steepness: 0 })).toThrow(GEPAConfigError);
    expect(() => new SigmoidScoring({ steepness: -1 })).toThrow(GEPAConfigError);
  });
  same('Sigmoid: manual computation', () => {
    const p = Math.exp(-0.3);
    expect(new SigmoidScoring({ midpoint: 0.6, steepness: 8 }).score(true, p)).toBeCloseTo(1 / (1 + Math.exp(-8 * (p - 0.6))));
  });
});

describe('gepa tests/test_confidence_adapter/test_confidence_adapter.py', () => {
  for (const name of [
    'test_simple_field',
    'test_nested_field',
    'test_invalid_json_returns_none',
    'test_missing_field_returns_none',
  ]) {
    notApplicable('confidence-field-path', `TestExtractAnswerFromJson::${name}`);
  }
  for (const name of [
    'test_correct_high_confidence',
    'test_correct_medium_confidence',
    'test_correct_low_confidence_lucky_guess',
    'test_incorrect_high_confidence',
    'test_incorrect_low_confidence',
    'test_additional_context_included_on_incorrect',
    'test_none_logprob_correct_shows_correct',
    'test_none_logprob_incorrect_shows_unknown_confidence',
    'test_parse_error_shows_placeholder',
    'test_feedback_contains_probability',
  ]) {
    notApplicable('confidence-feedback-wording', `TestBuildFeedback::${name}`);
  }

  same('TestConfidenceAdapterEvaluate::test_correct_high_confidence_scores_one', async () => {
    const run = await adapterFor([reply('Food', Math.exp(-0.001))]).evaluate(
      [{ input: 'UBER EATS', label: 'Food' }],
      { p: 'x' },
      false,
    );
    expect(run.scores).toEqual([1]);
    expect(run.objectiveScores?.[0]?.accuracy).toBe(1);
    expect(run.objectiveScores?.[0]?.probability).toBeCloseTo(Math.exp(-0.001));
  });
  same('TestConfidenceAdapterEvaluate::test_correct_low_confidence_penalised', async () => {
    const adapter = adapterFor([reply('Bills', Math.exp(-2))], {
      scoring: new LinearBlendScoring({ lowConfidenceThreshold: 0.5, minScoreOnCorrect: 0.3 }),
    });
    const [score] = (await adapter.evaluate([{ input: 'LIGHT bill', label: 'Bills' }], { p: 'x' }, false)).scores;
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(1);
  });
  same('TestConfidenceAdapterEvaluate::test_incorrect_scores_zero', async () => {
    const run = await adapterFor([reply('Shopping', Math.exp(-0.22))]).evaluate(
      [{ input: 'UBER', label: 'Food' }],
      { p: 'x' },
      false,
    );
    expect(run.scores).toEqual([0]);
    expect(run.objectiveScores?.[0]?.accuracy).toBe(0);
  });
  same('TestConfidenceAdapterEvaluate::test_llm_error_returns_failure_score', async () => {
    const failing = () => {
      throw new Error('API timeout');
    };
    const run = await adapterFor([failing], { failureScore: 0 }).evaluate([{ input: 't', label: 'Food' }], { p: 'x' }, false);
    expect(run.scores).toEqual([0]);
    expect(run.outputs).toEqual(['']);
  });
  same('TestConfidenceAdapterEvaluate::test_capture_traces_populates_trajectories', async () => {
    const run = await adapterFor([reply('Food', Math.exp(-0.16), 'Bills')]).evaluate(
      [{ input: 'UBER', label: 'Food' }],
      { p: 'x' },
      true,
    );
    const t = run.trajectories?.[0];
    expect(run.trajectories).toHaveLength(1);
    expect(t?.correct).toBe(true);
    expect(Math.log(t?.confidence ?? 0)).toBeCloseTo(-0.16);
    expect(t?.predicted).toBe('Food');
    expect(Object.keys(t?.alternatives ?? {})).toHaveLength(1);
  });
  same('TestConfidenceAdapterEvaluate::test_no_traces_when_capture_traces_false', async () => {
    const run = await adapterFor([reply('Food', 0.9)]).evaluate([{ input: 't', label: 'Food' }], { p: 'x' }, false);
    expect(run.trajectories).toBeUndefined();
  });
  same('TestConfidenceAdapterEvaluate::test_logprob_extraction_failure_degrades_gracefully', async () => {
    const run = await adapterFor([reply('Food')]).evaluate([{ input: 't', label: 'Food' }], { p: 'x' }, true);
    expect(run.scores).toEqual([1]);
    expect(run.trajectories?.[0]?.confidence).toBeUndefined();
  });
  same('TestConfidenceAdapterEvaluate::test_multiple_examples_in_batch', async () => {
    const adapter = adapterFor([reply('Food', Math.exp(-0.001)), reply('Bills', Math.exp(-0.001))]);
    const run = await adapter.evaluate(
      [
        { input: 'a', label: 'Food' },
        { input: 'b', label: 'Bills' },
      ],
      { p: 'x' },
      false,
    );
    expect(run.scores).toEqual([1, 1]);
    expect(run.outputs).toHaveLength(2);
  });
  same('TestConfidenceAdapterEvaluate::test_threshold_strategy_gates_on_logprob', async () => {
    const adapter = adapterFor([reply('Food', Math.exp(-0.51))], { scoring: new ThresholdScoring({ threshold: 0.7 }) });
    expect((await adapter.evaluate([{ input: 'a', label: 'Food' }], { p: 'x' }, false)).scores).toEqual([0]);
  });
  same('TestConfidenceAdapterEvaluate::test_callable_model_supported', async () => {
    const run = await adapterFor([reply('Food', 0.999)]).evaluate([{ input: 'a', label: 'Food' }], { p: 'x' }, false);
    expect(run.scores).toEqual([1]);
  });
  same('TestConfidenceAdapterEvaluate::test_case_insensitive_correctness', async () => {
    const run = await adapterFor([reply('food', Math.exp(-0.001))]).evaluate([{ input: 'a', label: 'Food' }], { p: 'x' }, false);
    expect(run.scores).toEqual([1]);
  });
  same('TestConfidenceAdapterEvaluate::test_objective_scores_contain_accuracy_and_probability', async () => {
    const run = await adapterFor([reply('Food', 0.8)]).evaluate([{ input: 'a', label: 'Food' }], { p: 'x' }, false);
    expect(Object.keys(run.objectiveScores?.[0] ?? {}).sort()).toEqual(['accuracy', 'probability']);
  });
  same('TestMakeReflectiveDataset::test_reflective_dataset_structure', async () => {
    const adapter = adapterFor([reply('Food', 0.8, 'Bills')]);
    const run = await adapter.evaluate([{ input: 'a', label: 'Food' }], { system_prompt: 'x' }, true);
    const dataset = adapter.makeReflectiveDataset({ system_prompt: 'x' }, run, ['system_prompt']);
    expect(Object.keys(dataset)).toEqual(['system_prompt']);
    expect(Object.keys(dataset.system_prompt?.[0] ?? {})).toEqual(['Inputs', 'Generated Outputs', 'Feedback']);
  });
  same('TestMakeReflectiveDataset::test_reflective_feedback_includes_confidence_info', async () => {
    const adapter = adapterFor([reply('Food', 0.6, 'Bills')]);
    const run = await adapter.evaluate([{ input: 'a', label: 'Food' }], { system_prompt: 'x' }, true);
    const record = adapter.makeReflectiveDataset({ system_prompt: 'x' }, run, ['system_prompt']).system_prompt?.[0];
    expect(String(record?.Feedback)).toContain('0.60');
    expect(String(record?.Feedback)).toContain('Bills');
  });
  same('TestMakeReflectiveDataset::test_generated_outputs_include_probability', async () => {
    const adapter = adapterFor([reply('Food', 0.6, 'Bills')]);
    const run = await adapter.evaluate([{ input: 'a', label: 'Food' }], { system_prompt: 'x' }, true);
    const record = adapter.makeReflectiveDataset({ system_prompt: 'x' }, run, ['system_prompt']).system_prompt?.[0];
    expect(String(record?.['Generated Outputs'])).toContain('0.60');
  });
  differs('reflective-dataset-empty', 'TestMakeReflectiveDataset::test_raises_when_no_trajectories', () => {
    // tsdspy returns empty records; the engine then proposes nothing for the component instead of failing.
    const adapter = adapterFor([reply('Food', 0.6)]);
    expect(adapter.makeReflectiveDataset({ system_prompt: 'x' }, { outputs: [], scores: [] }, ['system_prompt'])).toEqual({
      system_prompt: [],
    });
  });
});
