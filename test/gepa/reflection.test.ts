import {
  buildReflectionPrompt,
  containsAnswer,
  containsAnswerEvaluator,
  DEFAULT_REFLECTION_TEMPLATE,
  DefaultAdapter,
  extractFencedText,
  optimize,
  renderRecords,
  ScriptedLM,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';

describe('reflection prompt', () => {
  it('fills the current text and the rendered examples, keeping $ sequences literal', () => {
    const prompt = buildReflectionPrompt(DEFAULT_REFLECTION_TEMPLATE, 'Pay $1 and $& more', [
      { Inputs: { question: 'q1' }, 'Generated Outputs': 'a1', Feedback: 'wrong' },
    ]);
    expect(prompt).toContain('```\nPay $1 and $& more\n```');
    expect(prompt).toContain('# Example 1\n## Inputs\n### question\nq1\n## Generated Outputs\na1\n## Feedback\nwrong');
    expect(prompt).not.toContain('<curr_param>');
    expect(prompt).not.toContain('<side_info>');
  });

  it('renders non-string values as JSON', () => {
    expect(renderRecords([{ score: 0.5, tags: ['x'] }])).toBe('# Example 1\n## score\n0.5\n## tags\n[\n  "x"\n]');
  });

  it.each([
    ['```\nnew text\n```', 'new text'],
    ['Sure:\n```markdown\nline 1\nline 2\n```\nHope this helps', 'line 1\nline 2'],
    ['```\nunclosed block', 'unclosed block'],
    ['no fences at all  ', 'no fences at all'],
    ['```one line```', 'one line'],
    ['```\nouter\n```js\ninner\n```\nend\n```', 'outer\n```js\ninner\n```\nend'],
    ['```\nBe precise: answer in words\n```', 'Be precise: answer in words'],
  ])('extracts the new text from %j', (reply, expected) => {
    expect(extractFencedText(reply)).toBe(expected);
  });
});

describe('DefaultAdapter', () => {
  const data = [
    { input: 'capital of Freedonia?', answer: 'Fredville' },
    { input: 'capital of Sylvania?', answer: 'Sylvan City' },
    { input: 'capital of Grand Fenwick?', answer: 'Fenwick' },
  ];
  /** A task LM that knows a capital only when the system prompt states it. */
  const taskLM = () =>
    new ScriptedLM((request) => {
      const system = request.messages[0]?.content ?? '';
      const country = /capital of (.+)\?/.exec(request.messages[1]?.content ?? '')?.[1] ?? '';
      const known = new RegExp(`${country} -> (.+)`).exec(system)?.[1];
      return known ? `It is ${known}.` : 'I do not know.';
    });

  it('scores answers found in the response and names the expected answer in feedback', async () => {
    expect(await containsAnswerEvaluator(data[0]!, 'it is Fredville')).toMatchObject({ score: 1 });
    // gepa compares exactly; ignore_case is the option for the lenient rule.
    expect(await containsAnswerEvaluator(data[0]!, 'it is fredville')).toMatchObject({ score: 0 });
    expect(await containsAnswer('ignore_case')(data[0]!, 'it is fredville')).toMatchObject({ score: 1 });
    const miss = await containsAnswerEvaluator({ ...data[0]!, additionalContext: { hint: 'see atlas' } }, 'no idea');
    expect(miss.score).toBe(0);
    expect(miss.feedback).toContain('"Fredville"');
    expect(miss.feedback).toContain('hint: see atlas');
  });

  it('optimizes a system prompt through optimize({ taskLM }) with facts learned from feedback', async () => {
    const lm = taskLM();
    const reflection = (prompt: string) => {
      const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
      const learned = [
        ...prompt.matchAll(/capital of (.+)\?\n## Generated Outputs\n.*\n## Feedback\n.*expected answer is "(.+?)"/g),
      ].map((m) => `${m[1]} -> ${m[2]}`);
      return `\`\`\`\n${[current, ...learned].join('\n')}\n\`\`\``;
    };
    const result = await optimize({
      seedCandidate: { system_prompt: 'You answer geography questions.' },
      trainset: data,
      taskLM: lm,
      reflectionLM: reflection,
      maxMetricCalls: 30,
      displayProgress: false,
    });
    expect(result.valAggregateScores[0]).toBe(0);
    expect(result.bestScore).toBe(1);
    expect(result.bestCandidate.system_prompt).toContain('Sylvania -> Sylvan City');
    expect(lm.requests[0]?.messages[0]).toEqual({ role: 'system', content: 'You answer geography questions.' });
  });

  it('uses a custom evaluator and builds one reflective record per example', async () => {
    const adapter = new DefaultAdapter({
      taskLM: taskLM(),
      evaluator: (d, r) => ({ score: r.length > 5 ? 0.5 : 0, feedback: `len ${r.length} for ${d.answer}` }),
    });
    const batch = await adapter.evaluate(data, { system_prompt: 'Freedonia -> Fredville' }, true);
    expect(batch.scores).toEqual([0.5, 0.5, 0.5]);
    const dataset = adapter.makeReflectiveDataset({ system_prompt: '' }, batch, ['system_prompt']);
    expect(dataset.system_prompt).toHaveLength(3);
    expect(dataset.system_prompt?.[0]).toEqual({
      Inputs: 'capital of Freedonia?',
      'Generated Outputs': 'It is Fredville.',
      Feedback: 'len 16 for Fredville',
    });
  });
});
