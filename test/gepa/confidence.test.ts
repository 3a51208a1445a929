import { ConfidenceAdapter, LM, labelConfidence, optimize, ScriptedLM } from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackServer } from '../support/loopback-server.js';

const LABELS = ['refund', 'card_lost', 'balance'] as const;

/** A reply `{"label": "<label>"}` whose label tokens carry probability `p`, with `rival` taking the rest. */
function labelled(label: string, p: number, rival?: string) {
  const [a, b] = [label.slice(0, 3), label.slice(3)];
  return {
    text: `{"label": "${label}"}`,
    logprobs: [
      { token: '{"label": "', logprob: 0 },
      {
        token: a,
        logprob: Math.log(p),
        top: [{ token: a, logprob: Math.log(p) }, ...(rival ? [{ token: rival.slice(0, 3), logprob: Math.log(1 - p) }] : [])],
      },
      { token: b, logprob: 0 },
      { token: '"}', logprob: 0 },
    ],
  };
}

describe('ConfidenceAdapter', () => {
  it('reads the label tokens’ probability and the rivals’ mass', () => {
    const measured = labelConfidence(labelled('refund', 0.6, 'balance'), 'refund', LABELS);
    expect(measured?.confidence).toBeCloseTo(0.6);
    expect(measured?.alternatives.balance).toBeCloseTo(0.4);
  });

  it('scores as gepa: linear blend at the high-confidence threshold by default, named strategies with gepa defaults', () => {
    const lm = new ScriptedLM([]);
    const byDefault = new ConfidenceAdapter({ taskLM: lm, labels: LABELS });
    expect(byDefault.score(true, 0.995)).toBe(1);
    expect(byDefault.score(true, 0.495)).toBeCloseTo(0.3 + 0.7 * 0.5);
    expect(byDefault.score(false, 0.99)).toBe(0);
    expect(byDefault.score(true, undefined)).toBe(1);
    const linear = new ConfidenceAdapter({ taskLM: lm, labels: LABELS, scoring: 'linear' });
    expect([linear.score(true, 0.7), linear.score(true, 0.25)]).toEqual([1, 0.3 + 0.7 * 0.5]);
    const threshold = new ConfidenceAdapter({ taskLM: lm, labels: LABELS, scoring: 'threshold', threshold: 0.9 });
    // Correct but unsure scores 0, as in gepa.
    expect([threshold.score(true, 0.95), threshold.score(true, 0.5), threshold.score(false, 1)]).toEqual([1, 0, 0]);
    const sigmoid = new ConfidenceAdapter({ taskLM: lm, labels: LABELS, scoring: 'sigmoid' });
    expect(sigmoid.score(true, 0.5)).toBeCloseTo(0.5);
    expect(sigmoid.score(true, 0.99)).toBeGreaterThan(sigmoid.score(true, 0.6));
  });

  it('scores a failed task-LM call with failureScore instead of failing the batch, and compares labels ignoring case', async () => {
    let calls = 0;
    const lm = new ScriptedLM(() => {
      calls++;
      if (calls === 1) throw new Error('rate limited');
      return '{"label": "Refund "}';
    });
    const adapter = new ConfidenceAdapter({ taskLM: lm, labels: LABELS, concurrency: 1, failureScore: 0.1 });
    const run = await adapter.evaluate(
      [
        { input: 'a', label: 'refund' },
        { input: 'b', label: 'refund' },
      ],
      { system_prompt: 'Classify.' },
      true,
    );
    expect(calls).toBe(2);
    expect(run.scores).toEqual([0.1, 1]);
    expect(run.trajectories?.[0]?.feedback).toContain('rate limited');
    expect(run.objectiveScores?.[1]).toEqual({ accuracy: 1, probability: 0 });
  });

  it('writes feedback about confidence and rival labels', async () => {
    const lm = new ScriptedLM([
      labelled('refund', 0.55, 'balance'),
      labelled('balance', 0.9, 'refund'),
      labelled('card_lost', 0.97),
    ]);
    const adapter = new ConfidenceAdapter({ taskLM: lm, labels: LABELS, concurrency: 1 });
    const data = [
      { input: 'I want my money back', label: 'refund' },
      { input: 'Where did my money go', label: 'refund' },
      { input: 'I lost my card', label: 'card_lost' },
    ];
    const run = await adapter.evaluate(data, { system_prompt: 'Classify.' }, true);
    const [unsure, wrong, sure] = run.trajectories ?? [];
    expect(unsure?.feedback).toContain('Correct ("refund") but unsure: confidence 0.55; "balance" took 0.45');
    expect(wrong?.feedback).toContain('Wrong: answered "balance" with confidence 0.90, but the label is "refund" (it got 0.10)');
    expect(sure?.feedback).toBe('Correct: "card_lost" with confidence 0.97.');
    expect(run.scores[1]).toBe(0);
    expect(run.scores[2]).toBeGreaterThan(run.scores[0] as number);
    const request = lm.requests[0];
    expect(request?.logprobs).toBe(true);
    expect(request?.responseFormat?.schema).toMatchObject({ properties: { label: { enum: [...LABELS] } } });
    expect(request?.messages[0]).toEqual({ role: 'system', content: 'Classify.' });
    const dataset = adapter.makeReflectiveDataset({ system_prompt: '' }, run, ['system_prompt']);
    expect(dataset.system_prompt?.[0]?.['Generated Outputs']).toBe('refund (confidence 0.55)');
  });

  it('falls back to right/wrong with a clear note when there are no logprobs', async () => {
    const adapter = new ConfidenceAdapter({ taskLM: new ScriptedLM(['{"label": "refund"}']), labels: LABELS });
    const run = await adapter.evaluate([{ input: 'money back', label: 'refund' }], { p: 'Classify.' }, true);
    expect(run.scores).toEqual([1]);
    expect(run.trajectories?.[0]?.feedback).toContain('returned no logprobs');
  });

  it('drives GEPA: instructions that resolve the confusion raise confidence and the score', async () => {
    // Simulated classifier: unsure between refund and balance unless the prompt defines refund.
    const lm = new ScriptedLM((request) => {
      const system = request.messages[0]?.content ?? '';
      const input = request.messages[1]?.content ?? '';
      const label = input.includes('card') ? 'card_lost' : 'refund';
      const confident = label === 'card_lost' || system.includes('refund means');
      return { completions: [labelled(label, confident ? 0.995 : 0.3, label === 'refund' ? 'balance' : 'refund')] };
    });
    const data = ['money back please', 'refund my order', 'return the charge', 'lost my card', 'card stolen'].map((input) => ({
      input,
      label: input.includes('card') ? 'card_lost' : 'refund',
    }));
    const result = await optimize({
      seedCandidate: { system_prompt: 'Classify the banking request.' },
      trainset: data,
      adapter: new ConfidenceAdapter({ taskLM: lm, labels: LABELS }),
      reflectionLM: (prompt) => {
        const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
        return prompt.includes('but unsure')
          ? `\`\`\`\n${current} refund means the customer wants money returned.\n\`\`\``
          : `\`\`\`\n${current}\n\`\`\``;
      },
      maxMetricCalls: 30,
      displayProgress: false,
    });
    expect(result.bestCandidate.system_prompt).toContain('refund means');
    expect(result.bestScore).toBeGreaterThan((result.valAggregateScores[0] as number) + 0.2);
  });
});

describe('ConfidenceAdapter on the wire', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await new LoopbackServer().start();
  });
  afterAll(() => server.stop());

  it('requests logprobs and a label schema through the OpenAI SDK and reads them back', async () => {
    server.responder = () => '{"label": "balance"}';
    const taskLM = new LM('openai/gpt-4.1-mini', { apiKey: 'sk-test-key-1234', baseURL: server.openaiBaseURL, cache: false });
    const adapter = new ConfidenceAdapter({ taskLM, labels: LABELS, topLogprobs: 3 });
    const run = await adapter.evaluate([{ input: 'what is my balance', label: 'balance' }], { p: 'Classify.' }, true);
    expect(server.requests[0]?.body).toMatchObject({ logprobs: true, top_logprobs: 3, temperature: 0 });
    expect(run.trajectories?.[0]?.predicted).toBe('balance');
    // The loopback server gives the label token logprob −0.2.
    expect(run.trajectories?.[0]?.confidence).toBeCloseTo(Math.exp(-0.2));
  });
});
