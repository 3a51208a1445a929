import {
  BootstrapFewShot,
  ChatAdapter,
  COPRO,
  chatReply,
  compareOptimizers,
  Evaluate,
  EvaluateConfigError,
  Example,
  GEPA,
  GEPAConfigError,
  LabeledFewShot,
  LM,
  LMConfigError,
  MIPROv2,
  MissingInputKeysError,
  Module,
  OptimizerConfigError,
  optimize,
  optimizeAnything,
  Predict,
  ScriptedLM,
  withSettings,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';

/** A custom forward that would see the gold answer if labels leaked. */
class Peek extends Module<Record<string, unknown>, { answer: string }> {
  seen: Record<string, unknown>[] = [];
  step = new Predict('question -> answer');
  async forward(inputs: Record<string, unknown>) {
    this.seen.push(inputs);
    return { answer: 'x' };
  }
}

const raw = [new Example({ question: 'q', answer: 'gold' })];
const metric = () => 1;

describe('labels never leak into forward', () => {
  it('Evaluate refuses an Example without withInputs before running the program', async () => {
    const program = new Peek();
    await expect(new Evaluate({ devset: raw, metric, displayProgress: false }).run(program)).rejects.toThrow(
      /call example\.withInputs\("question", …\)/,
    );
    expect(program.seen).toEqual([]);
  });

  it('every optimizer, GEPA.compile and compareOptimizers refuse it too', async () => {
    const program = new Peek();
    const optimizers: Array<{ compile(p: Peek, t: readonly Example<object>[]): Promise<unknown> }> = [
      new GEPA({ metric, maxMetricCalls: 10, reflectionLM: () => '```x```' }),
      new BootstrapFewShot({ metric }),
      new LabeledFewShot(),
      new MIPROv2({ metric, numCandidates: 2, numTrials: 1 }),
      new COPRO({ metric, breadth: 2, depth: 1 }),
    ];
    for (const optimizer of optimizers) {
      await expect(optimizer.compile(program, raw)).rejects.toBeInstanceOf(MissingInputKeysError);
    }
    await expect(
      compareOptimizers({ program, trainset: raw, valset: raw, testset: raw, optimizers: {}, metric, print: false }),
    ).rejects.toBeInstanceOf(MissingInputKeysError);
    expect(program.seen).toEqual([]);
  });

  it('passes only the inputs of a marked Example, and plain objects as they are', async () => {
    const program = new Peek();
    await new Evaluate({
      devset: [
        raw[0]?.withInputs('question') as Example<{ question: string; answer: string }, 'question'>,
        { question: 'p', answer: 'a' },
      ],
      metric,
      displayProgress: false,
    }).run(program);
    expect(program.seen).toEqual([{ question: 'q' }, { question: 'p', answer: 'a' }]);
  });
});

describe('Example', () => {
  it('reads fields as properties, keeps get() and data, and types inputs()', () => {
    const ex = new Example({ question: 'q', answer: 'a', keys: 'shadowed' }).withInputs('question');
    expect(ex.question).toBe('q');
    expect(ex.answer).toBe('a');
    expect(ex.get('answer')).toBe('a');
    expect(ex.data.keys).toBe('shadowed');
    expect(ex.keys()).toEqual(['question', 'answer', 'keys']);
    expect(ex.inputs()).toEqual({ question: 'q' });
    expect('question' in ex).toBe(true);
    expect(ex instanceof Example).toBe(true);
  });

  it("is used as its data when placed in a predictor's demos", async () => {
    const lm = new ScriptedLM(() => chatReply({ answer: 'ok' }));
    const predictor = new Predict('question -> answer', {
      demos: [new Example({ question: 'What is 2+2?', answer: '4' })],
    });
    predictor.demos = [...predictor.demos, new Example({ question: 'Capital of France?', answer: 'Paris' })];
    await withSettings({ lm, adapter: new ChatAdapter() }, () => predictor.call({ question: 'x' }));
    const prompt = (lm.requests[0]?.messages ?? []).map((m) => m.content).join('\n');
    expect(prompt).toContain('What is 2+2?');
    expect(prompt).toContain('Paris');
    expect(prompt).not.toContain('Not supplied');
    expect(predictor.dumpPredictorState().demos).toEqual([
      { question: 'What is 2+2?', answer: '4' },
      { question: 'Capital of France?', answer: 'Paris' },
    ]);
  });
});

describe('unknown option keys are refused with a suggestion', () => {
  const cases: Array<[string, () => unknown, RegExp, new (...a: never[]) => Error]> = [
    [
      'GEPA',
      () => new GEPA({ metric, maxMetricCalls: 5, reflectionLM: () => '', reflectionMinibatchSze: 3 } as never),
      /unknown option "reflectionMinibatchSze" \(did you mean "reflectionMinibatchSize"\?\)/,
      GEPAConfigError,
    ],
    [
      'Evaluate',
      () => new Evaluate({ devset: [], metric, maxError: 3 } as never),
      /unknown option "maxError" \(did you mean "maxErrors"\?\)/,
      EvaluateConfigError,
    ],
    [
      'BootstrapFewShot',
      () => new BootstrapFewShot({ metric, maxBootstrapedDemos: 2 } as never),
      /did you mean "maxBootstrappedDemos"/,
      OptimizerConfigError,
    ],
    ['LabeledFewShot', () => new LabeledFewShot({ K: 2 } as never), /did you mean "k"/, OptimizerConfigError],
    [
      'MIPROv2',
      () => new MIPROv2({ metric, auto: 'light', numTrails: 3 } as never),
      /did you mean "numTrials"/,
      OptimizerConfigError,
    ],
    ['COPRO', () => new COPRO({ metric, bredth: 3 } as never), /did you mean "breadth"/, OptimizerConfigError],
    ['LM', () => new LM('openai/gpt-4.1-mini', { temprature: 0 } as never), /did you mean "temperature"/, LMConfigError],
  ];
  for (const [name, make, pattern, type] of cases) {
    it(name, () => {
      expect(make).toThrow(type);
      expect(make).toThrow(pattern);
    });
  }

  it('optimize and optimizeAnything', async () => {
    await expect(
      optimize({ seedCandidate: { a: 'x' }, trainset: [1], maxMetricCalls: 3, reflectionLM: () => '', useMerg: true } as never),
    ).rejects.toThrow(/unknown option "useMerg" \(did you mean "useMerge"\?\)/);
    await expect(
      optimizeAnything({
        seedCandidate: 'x',
        evaluator: () => 1,
        reflectionLM: () => '',
        maxMetricCalls: 3,
        objectiv: 'y',
      } as never),
    ).rejects.toThrow(/did you mean "objective"/);
  });

  it('also checks value types', () => {
    expect(() => new Evaluate({ devset: [], metric, concurrency: 0 })).toThrow(EvaluateConfigError);
  });
});
