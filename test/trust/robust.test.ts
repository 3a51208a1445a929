import {
  BootstrapFewShot,
  chatReply,
  compareOptimizers,
  GEPA,
  GEPAConfigError,
  LabeledFewShot,
  LM,
  MIPROv2,
  Module,
  type Optimizer,
  optimize,
  optimizeAnything,
  Predict,
  ReflectionFailedError,
  ScriptedLM,
  stopWhen,
  withSettings,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { captureStderr } from '../support/capture-stderr.js';

const data = Array.from({ length: 6 }, (_, i) => ({ question: `q${i}`, answer: `a${i}` }));
const metric = (ex: Record<string, unknown>, pred: { answer?: unknown }) => (pred.answer === ex.answer ? 1 : 0);

class QA extends Module<{ question: string }, { answer: string }> {
  step = new Predict('question -> answer');
  async forward(inputs: { question: string }) {
    return { answer: (await this.step.call(inputs)).answer };
  }
}

/** Answers the task right for even questions; every proposer (meta-prompt) reply is unreadable garbage. */
const taskOrGarbage = () =>
  new ScriptedLM((r) => {
    const text = r.messages.map((m) => m.content).join('\n');
    const q = /\[\[ ## question ## \]\]\nq(\d+)/.exec(r.messages.at(-1)?.content ?? '')?.[1];
    if (q !== undefined && !text.includes('proposed_instruction') && !text.includes('observations'))
      return chatReply({ answer: Number(q) % 2 === 0 ? `a${q}` : 'wrong' });
    return 'I would rather not say.';
  });

describe('robust proposers and comparisons', () => {
  it('MIPROv2 with every proposer reply unreadable still returns a program, warning per skipped reply', async () => {
    const cap = captureStderr();
    const compiled = await withSettings({ lm: taskOrGarbage() }, () =>
      new MIPROv2({ metric, numCandidates: 3, numTrials: 3, displayProgress: false }).compile(new QA(), data, data),
    ).finally(() => cap.restore());
    expect(compiled).toBeInstanceOf(QA);
    expect(cap.text()).toMatch(/MIPROv2: skipped the dataset summary: AdapterParseError/);
    expect(cap.text()).toMatch(/MIPROv2: skipped instruction proposal 1 for "step"/);
  });

  it('compareOptimizers keeps a row with the error of an optimizer that throws, and prints the table once', async () => {
    const broken: Optimizer = {
      name: 'Broken',
      compile: async () => {
        throw new RangeError('out of budget');
      },
    };
    const printed: string[] = [];
    const cap = captureStderr();
    const original = console.log;
    console.log = (text: string) => printed.push(text);
    try {
      const comparison = await withSettings({ lm: taskOrGarbage() }, () =>
        compareOptimizers({
          program: new QA(),
          trainset: data,
          valset: data,
          testset: data,
          optimizers: { labeled: new LabeledFewShot({ k: 2 }), broken, bootstrap: new BootstrapFewShot({ metric }) },
          metric,
        }),
      );
      const row = comparison.rows.find((r) => r.optimizer === 'broken');
      expect(row?.error).toEqual({ name: 'RangeError', message: 'out of budget' });
      expect(row?.testScore).toBeUndefined();
      expect(comparison.rows.map((r) => r.optimizer)).toEqual(['baseline', 'labeled', 'broken', 'bootstrap']);
      expect(comparison.rows.find((r) => r.optimizer === 'bootstrap')?.usage.task.lmCalls).toBeGreaterThan(0);
      expect(printed).toHaveLength(1);
      expect(printed[0]).toMatch(/broken failed: RangeError: out of budget/);
    } finally {
      console.log = original;
      cap.restore();
    }
  });

  it('GEPA: one failing reflection call is skipped; maxReflectionFailures in a row stops; raiseOnException keeps the old behaviour', async () => {
    let calls = 0;
    const flaky = () => {
      calls++;
      if (calls === 1) throw new Error('reflection LM unavailable');
      return '```\nAnswer with the gold.\n```';
    };
    const cap = captureStderr();
    try {
      const compiled = await withSettings({ lm: taskOrGarbage() }, () =>
        new GEPA({ metric, maxMetricCalls: 30, reflectionLM: flaky, displayProgress: false }).compile(new QA(), data, data),
      );
      expect(compiled.detailedResults?.result.iterations).toBeGreaterThan(1);
      expect(cap.text()).toMatch(/GEPA: iteration 1 failed and was skipped: The reflection LM call for "step" failed/);

      const down = () => {
        throw new Error('down');
      };
      const stopped = await withSettings({ lm: taskOrGarbage() }, () =>
        new GEPA({ metric, maxMetricCalls: 200, reflectionLM: down, maxReflectionFailures: 3, displayProgress: false }).compile(
          new QA(),
          data,
          data,
        ),
      ).catch((e: unknown) => e);
      expect(stopped).toBeInstanceOf(ReflectionFailedError);
      expect((stopped as Error).message).toMatch(/3 reflection calls failed in a row/);

      calls = 0;
      const raised = await withSettings({ lm: taskOrGarbage() }, () =>
        new GEPA({ metric, maxMetricCalls: 30, reflectionLM: flaky, raiseOnException: true, displayProgress: false }).compile(
          new QA(),
          data,
          data,
        ),
      ).catch((e: unknown) => e);
      expect(raised).toBeInstanceOf(ReflectionFailedError);
    } finally {
      cap.restore();
    }
  });
});

describe('defaults and caps users can trust', () => {
  it('optimizeAnything with scores in [1, 10] reflects and improves (no skip-perfect unless perfectScore)', async () => {
    let reflections = 0;
    const result = await optimizeAnything({
      seedCandidate: 'x',
      evaluator: (candidate: string) => Math.min(10, candidate.length),
      reflectionLM: (prompt: string) => {
        reflections++;
        const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
        return `\`\`\`\n${current}++\n\`\`\``;
      },
      maxMetricCalls: 8,
      displayProgress: false,
    });
    expect(reflections).toBeGreaterThan(0);
    expect(result.bestScore).toBeGreaterThan(1);
    const narrowed: string = result.bestCandidate;
    expect(narrowed.startsWith('x+')).toBe(true);
    expect(result.usage.task.lmCalls).toBe(0);
  });

  it('a cost cap that can never fire is refused before any metric call', async () => {
    let evaluations = 0;
    const evaluator = () => {
      evaluations++;
      return 0.5;
    };
    const base = { seedCandidate: 'x', evaluator, maxMetricCalls: 10, displayProgress: false } as const;
    await expect(
      optimizeAnything({ ...base, reflectionLM: () => '```y```', stopWhen: stopWhen.maxReflectionCost(1) }),
    ).rejects.toThrow(/maxReflectionCost\(1\) can never fire: the reflection LM is a plain function/);
    await expect(
      optimizeAnything({
        ...base,
        reflectionLM: new LM('openai/my-unpriced-model', { cache: false }),
        stopWhen: stopWhen.maxReflectionCost(1),
      }),
    ).rejects.toThrow(GEPAConfigError);
    await expect(
      optimize({
        seedCandidate: { a: 'x' },
        trainset: [1],
        adapter: { evaluate: () => ({ outputs: [0], scores: [evaluator()] }), makeReflectiveDataset: () => ({}) },
        customCandidateProposer: () => ({ a: 'y' }),
        stopWhen: [stopWhen.maxReflectionCost(1), stopWhen.maxIterations(3)],
        displayProgress: false,
      }),
    ).rejects.toThrow(/custom proposer/);
    expect(evaluations).toBe(0);
  });

  it('a cost cap with a price counts cost from token usage and fires', async () => {
    const reflection = new ScriptedLM(() => '```\nlonger text\n```', { usage: { inputTokens: 500_000, outputTokens: 0 } });
    const result = await optimizeAnything({
      seedCandidate: 'x',
      evaluator: (c: string) => c.length / 100,
      reflectionLM: reflection,
      maxMetricCalls: 50,
      stopWhen: stopWhen.maxReflectionCost(1, { price: { input: 1, output: 1 } }),
      displayProgress: false,
    });
    expect(result.gepa.stopReason).toBe('maxReflectionCost(1)');
    expect(reflection.requests).toHaveLength(2);
    expect(result.usage.proposer.lmCalls).toBe(2);
    expect(result.usage.proposer.inputTokens).toBe(1_000_000);
  });
});
