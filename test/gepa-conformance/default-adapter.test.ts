import { containsAnswer, containsAnswerEvaluator, DefaultAdapter, ScriptedLM } from 'tsdspy';
import { describe, expect } from 'vitest';
import { same } from './support.js';

describe('gepa DefaultAdapter / ContainsAnswerEvaluator (gepa’s source; no gepa test of its own)', () => {
  same('the expected answer must appear in the response exactly as written', async () => {
    const data = { input: 'capital?', answer: 'Paris' };
    expect((await containsAnswerEvaluator(data, 'It is Paris.')).score).toBe(1);
    expect((await containsAnswerEvaluator(data, 'It is paris.')).score).toBe(0);
    expect((await containsAnswerEvaluator({ ...data, answer: ' Paris' }, 'It is\nParis')).score).toBe(0);
  });

  same('the DefaultAdapter uses the exact rule unless answerMatch says otherwise', async () => {
    const lm = () => new ScriptedLM(() => 'the answer is PARIS');
    const batch = [{ input: 'capital?', answer: 'Paris' }];
    expect((await new DefaultAdapter({ taskLM: lm() }).evaluate(batch, { p: 'x' }, false)).scores).toEqual([0]);
    expect(
      (await new DefaultAdapter({ taskLM: lm(), answerMatch: 'ignore_case' }).evaluate(batch, { p: 'x' }, false)).scores,
    ).toEqual([1]);
    expect((await containsAnswer('ignore_case')({ input: '', answer: ' paris ' }, 'PARIS!')).score).toBe(1);
  });
});
