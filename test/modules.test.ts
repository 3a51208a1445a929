import {
  AllAttemptsFailedError,
  BestOfN,
  ChainOfThought,
  chatReply,
  Module,
  MultiChainComparison,
  majority,
  Parallel,
  ParallelAbortedError,
  Predict,
  ProgramOfThought,
  ProgramOfThoughtError,
  Refine,
  ScriptedLM,
  withSettings,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';

describe('BestOfN', () => {
  it('tries distinct rollouts until the reward reaches the threshold', async () => {
    const lm = new ScriptedLM((r) => chatReply({ answer: `try-${r.rolloutId}` }));
    const best = new BestOfN(new Predict('question -> answer', { lm }), {
      n: 5,
      threshold: 1,
      rewardFn: (_in, pred) => (pred.answer === 'try-2' ? 1 : 0),
    });
    const pred = await best.call({ question: 'q' });
    expect(pred.answer).toBe('try-2');
    expect(lm.requests.map((r) => [r.rolloutId, r.temperature])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(best.namedPredictors().map(([n]) => n)).toEqual(['module']);
  });

  it('returns the highest reward when none reaches the threshold, and tolerates failures up to failCount', async () => {
    const lm = new ScriptedLM((r) => (r.rolloutId === 1 ? 'unparseable' : chatReply({ answer: String(r.rolloutId) })));
    const best = new BestOfN(new Predict('question -> answer', { lm, adapter: undefined }), {
      n: 4,
      threshold: 10,
      rewardFn: (_in, pred) => Number(pred.answer) % 3,
    });
    expect((await best.call({ question: 'q' })).answer).toBe('2');
    const strict = new BestOfN(new Predict('question -> answer', { lm: new ScriptedLM(['bad'], { cycle: true }) }), {
      n: 2,
      threshold: 1,
      rewardFn: () => 1,
      failCount: 5,
    });
    await expect(strict.call({ question: 'q' })).rejects.toBeInstanceOf(AllAttemptsFailedError);
  });
});

describe('Refine', () => {
  it('feeds advice from a failed attempt into the next attempt as a hint', async () => {
    const lm = new ScriptedLM((request) => {
      const system = request.messages[0]?.content ?? '';
      const last = request.messages.at(-1)?.content ?? '';
      if (system.includes('`advice`')) {
        expect(last).toContain('[[ ## reward_value ## ]]\n0');
        expect(last).toContain('## answerer.predict');
        return chatReply({ discussion: 'too vague', advice: { 'answerer.predict': 'Answer with the number 42.' } });
      }
      const hinted = /\[\[ ## hint_ ## \]\]\n(.*)/.exec(last)?.[1];
      return chatReply({ reasoning: 'r', answer: hinted?.includes('42') ? '42' : 'maybe' });
    });
    class Wrapper extends Module<{ question: string }, { answer: string }> {
      answerer = new ChainOfThought('question -> answer');
      forward(inputs: { question: string }) {
        return this.answerer.call(inputs);
      }
    }
    const refine = new Refine(new Wrapper(), { n: 3, threshold: 1, rewardFn: (_in, pred) => (pred.answer === '42' ? 1 : 0) });
    const pred = await withSettings({ lm }, () => refine.call({ question: 'What is the answer?' }));
    expect(pred.answer).toBe('42');
    expect(lm.callCount).toBe(3); // attempt, advice, hinted attempt
    expect(refine.namedPredictors().map(([n]) => n)).toEqual(['module.answerer.predict', 'feedback']);
  });
});

describe('Parallel', () => {
  class Slow extends Module<{ x: number }, number> {
    active = 0;
    peak = 0;
    async forward({ x }: { x: number }) {
      this.active++;
      this.peak = Math.max(this.peak, this.active);
      await new Promise((r) => setTimeout(r, 5 + ((x * 7) % 11)));
      this.active--;
      if (x < 0) throw new Error(`negative ${x}`);
      return x * x;
    }
  }

  it('keeps input order and never exceeds its concurrency', async () => {
    const module = new Slow();
    const out = await new Parallel({ concurrency: 3 }).map(
      module,
      Array.from({ length: 25 }, (_, x) => ({ x })),
    );
    expect(out).toEqual(Array.from({ length: 25 }, (_, x) => x * x));
    expect(module.peak).toBe(3);
  });

  it('fails fast with map, collects with settle, and gives up after maxErrors', async () => {
    const inputs = [1, -2, 3, -4, 5].map((x) => ({ x }));
    await expect(new Parallel({ concurrency: 1 }).map(new Slow(), inputs)).rejects.toThrow('negative -2');
    const settled = await new Parallel({ concurrency: 2 }).settle(new Slow(), inputs);
    expect(settled.map((s) => s.ok)).toEqual([true, false, true, false, true]);
    await expect(new Parallel({ concurrency: 1, maxErrors: 1 }).settle(new Slow(), inputs)).rejects.toBeInstanceOf(
      ParallelAbortedError,
    );
  });
});

describe('MultiChainComparison and majority', () => {
  it('shows each attempt to the comparison predictor', async () => {
    const lm = new ScriptedLM([chatReply({ rationale: 'two of three say 4', answer: '4' })]);
    const mcc = new MultiChainComparison('question -> answer', { m: 3, lm });
    const pred = await mcc.call({
      question: '2+2?',
      completions: [
        { reasoning: 'add them', answer: '4' },
        { reasoning: 'guess', answer: '5' },
        { reasoning: 'count', answer: '4' },
      ],
    });
    expect(pred.answer).toBe('4');
    const prompt = lm.requests[0]?.messages.at(-1)?.content ?? '';
    expect(prompt).toContain("«I'm trying to guess I'm not sure but my prediction is 5»");
    await expect(mcc.call({ question: 'q', completions: [] })).rejects.toThrow(/expects 3 attempts/);
  });

  it('majority picks the most common normalized answer, ties to the earliest', () => {
    expect(majority([{ answer: 'Paris' }, { answer: 'london' }, { answer: ' paris ' }])).toEqual({ answer: 'Paris' });
    expect(
      majority(
        [
          { a: 1, b: 'x' },
          { a: 2, b: 'y' },
        ],
        'b',
      ),
    ).toEqual({ a: 1, b: 'x' });
  });
});

describe('ProgramOfThought', () => {
  it('runs the generated code in the sandbox and retries with the error', async () => {
    const lm = new ScriptedLM((request) => {
      const system = request.messages[0]?.content ?? '';
      const last = request.messages.at(-1)?.content ?? '';
      if (system.includes('`code_output`')) {
        return chatReply({ answer: Number(/\[\[ ## code_output ## \]\]\n(\S+)/.exec(last)?.[1]) });
      }
      if (system.includes('`previous_code`')) {
        expect(last).toContain('ReferenceError: undefinedThing is not defined');
        return chatReply({
          reasoning: 'fix',
          code: '```js\nconst eggs = 16 - 3 - 4;\nconsole.log("eggs", eggs);\nreturn eggs * 2;\n```',
        });
      }
      return chatReply({ reasoning: 'compute', code: 'return undefinedThing * 2;' });
    });
    const pot = new ProgramOfThought('question -> answer: number', { lm });
    const pred = await pot.call({ question: 'Janet’s ducks lay 16 eggs...' });
    expect(pred.answer).toBe(18);
    expect(pred.codeOutput).toBe(18);
    expect(pred.code).toContain('eggs * 2');
    expect(pot.namedPredictors().map(([n]) => n)).toEqual(['generate', 'regenerate', 'extract']);
  }, 20_000);

  it('gives up after maxIters with the last error', async () => {
    const lm = new ScriptedLM(() => chatReply({ reasoning: 'r', code: 'throw new Error("always")' }));
    const pot = new ProgramOfThought('question -> answer: number', { lm, maxIters: 2 });
    const error = await pot.call({ question: 'q' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProgramOfThoughtError);
    expect((error as ProgramOfThoughtError).lastResult.ok).toBe(false);
    expect(lm.callCount).toBe(2);
  }, 20_000);
});

describe('every module saves and loads', () => {
  it('round-trips learned state through JSON into a fresh instance', () => {
    const build = () => ({
      bestOfN: new BestOfN(new ChainOfThought('question -> answer'), { n: 2, threshold: 1, rewardFn: () => 1 }),
      refine: new Refine(new Predict('question -> answer'), { n: 2, threshold: 1, rewardFn: () => 1 }),
      mcc: new MultiChainComparison('question -> answer', { m: 2 }),
      pot: new ProgramOfThought('question -> answer: number'),
    });
    const trained = build();
    for (const module of Object.values(trained)) {
      for (const [name, predictor] of module.namedPredictors()) {
        predictor.demos = [{ note: `demo for ${name}` }];
        module.setParameters({ [name]: `instructions for ${name}` });
      }
    }
    const fresh = build();
    for (const [key, module] of Object.entries(trained)) {
      const target = fresh[key as keyof typeof fresh];
      target.loadState(JSON.parse(JSON.stringify(module.dumpState())));
      expect(target.namedParameters()).toEqual(module.namedParameters());
      expect(target.predictors().map((p) => p.demos)).toEqual(module.predictors().map((p) => p.demos));
    }
    expect(trained.pot.namedPredictors().map(([n]) => n)).toEqual(['generate', 'regenerate', 'extract']);
    expect(trained.mcc.namedPredictors().map(([n]) => n)).toEqual(['predict']);
  });
});
