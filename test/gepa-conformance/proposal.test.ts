import { extractFencedText, optimize } from 'tsdspy';
import { describe, expect } from 'vitest';
import { same, twoComponentTask } from './support.js';

describe('gepa tests/test_instruction_proposal.py::test_extract_code_blocks', () => {
  const cases: Array<[string, string, string]> = [
    [
      'with language specifier',
      "Here's the improved instruction:\n```markdown\nThis is the actual instruction content.\nIt should not include the word 'markdown'.\n```\n",
      "This is the actual instruction content.\nIt should not include the word 'markdown'.",
    ],
    [
      'without language specifier',
      "Here's the instruction:\n```\nThis is the instruction without language specifier.\n```\nDone.",
      'This is the instruction without language specifier.',
    ],
    [
      'backticks inside the block',
      "```markdown\nDon't get confused by these backticks: ```\n```",
      "Don't get confused by these backticks: ```",
    ],
    ['stripping the output', '```\n\nHere are the instructions.\n\n```', 'Here are the instructions.'],
    [
      'several blocks: the outermost one',
      'Begin text\n```plaintext\nBegin instructions\n\n```\nInternal block 1\n```\n\n```python\nInternal block 2\n```\n\nEnd instructions\n```\nEnd text\n',
      'Begin instructions\n\n```\nInternal block 1\n```\n\n```python\nInternal block 2\n```\n\nEnd instructions',
    ],
    ['opening fence only', '```text\nHere are the instructions.', 'Here are the instructions.'],
    ['closing fence only', 'Here are the instructions.\n```', 'Here are the instructions.'],
    [
      'a lone fence in the middle',
      "\nHere are some backticks:\n```\nI hope you didn't get confused.\n                ",
      "Here are some backticks:\n```\nI hope you didn't get confused.",
    ],
    [
      'no backticks, whitespace stripped',
      '\n                Here are the instructions.\n                ',
      'Here are the instructions.',
    ],
  ];
  for (const [name, reply, expected] of cases) {
    same(`test_extract_code_blocks: ${name}`, () => expect(extractFencedText(reply)).toBe(expected));
  }
});

describe('gepa engine behaviour without a gepa test of its own (read from gepa’s source)', () => {
  same('round robin: a child continues its parent’s component cursor (a, b, a, b along a chain)', async () => {
    const { data, adapter, reflectionLM } = twoComponentTask();
    const chain: string[] = [];
    await optimize({
      seedCandidate: { a: 'start', b: 'start' },
      trainset: data,
      adapter,
      reflectionLM,
      maxMetricCalls: 200,
      displayProgress: false,
      candidateSelectionStrategy: 'current_best',
      callbacks: [{ proposal: (e) => chain.push(`${e.parentIdx}:${e.components.join()}`) }],
    });
    // Each accepted child becomes the new best and parent; its first proposal rewrites the other component.
    const firstPerParent = new Map<string, string>();
    for (const entry of chain) {
      const [parent, component] = entry.split(':') as [string, string];
      if (!firstPerParent.has(parent)) firstPerParent.set(parent, component);
    }
    const order = [...firstPerParent.values()];
    expect(order.length).toBeGreaterThan(2);
    for (let i = 1; i < order.length; i++) expect(order[i]).not.toBe(order[i - 1]);
  });

  same('a proposal with no new text is skipped without spending metric calls', async () => {
    const { data, adapter } = twoComponentTask();
    const skipped: string[] = [];
    let childRuns = 0;
    const result = await optimize({
      seedCandidate: { a: 'start', b: 'start' },
      trainset: data,
      adapter,
      customCandidateProposer: () => ({}),
      maxMetricCalls: 40,
      stopWhen: { name: 'iterations', shouldStop: (ctx) => ctx.iteration >= 5 },
      displayProgress: false,
      callbacks: [
        { proposalSkipped: (e) => skipped.push(e.reason), minibatchEvaluated: (e) => (childRuns += e.role === 'child' ? 1 : 0) },
      ],
    });
    expect(skipped).toHaveLength(5);
    expect(childRuns).toBe(0);
    expect(result.totalMetricCalls).toBe(8 + 5 * 3); // seed valset + the parents' minibatches only
  });

  same('an empty proposed text is never a component text (gepa’s extraction gives "" for a bare fence)', async () => {
    const { data, adapter } = twoComponentTask();
    const result = await optimize({
      seedCandidate: { a: 'start', b: 'start' },
      trainset: data,
      adapter,
      reflectionLM: () => '```\n```',
      maxMetricCalls: 40,
      displayProgress: false,
    });
    expect(extractFencedText('```\n```')).toBe('');
    expect(result.candidates).toHaveLength(1);
    expect(result.candidates.every((c) => Object.values(c).every((t) => t.trim() !== ''))).toBe(true);
  });
});
