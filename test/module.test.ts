import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CallOptions,
  ChainOfThought,
  captureTrace,
  chatReply,
  configure,
  Example,
  InputValidationError,
  InvalidStateError,
  LMNotConfiguredError,
  Module,
  Predict,
  resetSettings,
  ScriptedLM,
  StateMismatchError,
  withSettings,
} from 'tsdspy';
import { afterEach, describe, expect, it } from 'vitest';

class TwoStepQA extends Module<{ question: string }, { answer: string }> {
  rewrite = new Predict('question -> query');
  answerer = new ChainOfThought('question, query -> answer');
  hops = [new Predict('query -> note'), new Predict('query -> note')];
  extras = { judge: new Predict('answer -> ok: boolean') };
  shared = this.rewrite; // referenced twice: keeps its first name

  async forward({ question }: { question: string }, options?: CallOptions) {
    const { query } = await this.rewrite.call({ question }, options);
    await Promise.all(this.hops.map((hop) => hop.call({ query }, options)));
    const { answer } = await this.answerer.call({ question, query }, options);
    return { answer };
  }
}

/** Replies by looking at which output the prompt asks for first, echoing inputs so calls are traceable. */
function echoLM(tag = '') {
  return new ScriptedLM((request) => {
    const last = request.messages.at(-1)?.content ?? '';
    const input = /\[\[ ## (?:question|query) ## \]\]\n(.*)/.exec(last)?.[1] ?? '';
    if (last.includes('`[[ ## query ## ]]`')) return chatReply({ query: `${tag}q(${input})` });
    if (last.includes('`[[ ## note ## ]]`')) return chatReply({ note: `note(${input})` });
    if (last.includes('`[[ ## ok ## ]]`')) return chatReply({ ok: true });
    return chatReply({ reasoning: 'because', answer: `${tag}a(${input})` });
  });
}

afterEach(() => resetSettings());

describe('module tree', () => {
  it('names predictors with stable dotted paths', () => {
    const program = new TwoStepQA();
    expect(program.namedPredictors().map(([n]) => n)).toEqual([
      'rewrite',
      'answerer.predict',
      'hops.0',
      'hops.1',
      'extras.judge',
    ]);
    expect(program.namedSubmodules().map(([n]) => n)).toEqual([
      'self',
      'rewrite',
      'answerer',
      'answerer.predict',
      'hops.0',
      'hops.1',
      'extras.judge',
    ]);
    expect(new Predict('a -> b').namedPredictors().map(([n]) => n)).toEqual(['self']);
  });

  it('exposes instructions as named text parameters that can be set by name', () => {
    const program = new TwoStepQA();
    expect(Object.keys(program.namedParameters())).toEqual(['rewrite', 'answerer.predict', 'hops.0', 'hops.1', 'extras.judge']);
    program.setParameters({ 'answerer.predict': 'Answer tersely.' });
    expect(program.answerer.predict.instructions).toBe('Answer tersely.');
    expect(program.answerer.predict.signature.instructions).toBe('Answer tersely.');
    expect(() => program.setParameters({ nope: 'x' })).toThrow(/Unknown parameter "nope"/);
  });

  it('clones parameters deeply and shares LMs and schemas', () => {
    const lm = echoLM();
    const program = new TwoStepQA();
    program.rewrite.demos.push({ question: 'x', query: 'y' });
    program.setLM(lm);
    const copy = program.clone();
    expect(copy).toBeInstanceOf(TwoStepQA);
    copy.rewrite.instructions = 'changed';
    copy.rewrite.demos[0]!.query = 'mutated';
    copy.hops[0]!.config.temperature = 1;
    copy.extras.judge.demos.push({ answer: 'a', ok: true });
    expect(program.rewrite.instructions).not.toBe('changed');
    expect(program.rewrite.demos[0]?.query).toBe('y');
    expect(program.hops[0]?.config.temperature).toBeUndefined();
    expect(program.extras.judge.demos).toEqual([]);
    expect(copy.rewrite.lm).toBe(lm);
    expect(copy.rewrite.signature.inputFields[0]?.schema).toBe(program.rewrite.signature.inputFields[0]?.schema);
    expect(copy.shared).toBe(copy.rewrite);
    const reset = program.resetCopy();
    expect(reset.rewrite.demos).toEqual([]);
    expect(reset.rewrite.lm).toBe(lm);
    expect(program.rewrite.demos).toHaveLength(1);
  });
});

describe('Predict', () => {
  it('needs an LM and says how to give one', async () => {
    await expect(new Predict('a -> b').call({ a: 'x' })).rejects.toBeInstanceOf(LMNotConfiguredError);
  });

  it('validates inputs against the signature', async () => {
    const predict = new Predict('a, n: int -> b', { lm: echoLM() });
    await expect(predict.call({ a: 'x', n: 1.5 })).rejects.toThrow(InputValidationError);
    await expect(predict.call({ a: 'x' } as { a: string; n: number })).rejects.toThrow(/missing "n"/);
  });

  it('merges per-call config over its own config', async () => {
    const lm = new ScriptedLM([chatReply({ b: 'x' })]);
    await new Predict('a -> b', { lm, config: { temperature: 0.1, maxTokens: 50 } }).call(
      { a: 'x' },
      { config: { temperature: 0.9 } },
    );
    expect(lm.requests[0]).toMatchObject({ temperature: 0.9, maxTokens: 50 });
  });

  it('puts demos in the prompt', async () => {
    const lm = new ScriptedLM([chatReply({ b: 'x' })]);
    await new Predict('a -> b', { lm, demos: [{ a: 'demo-in', b: 'demo-out' }] }).call({ a: 'real' });
    expect(lm.requests[0]?.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(lm.requests[0]?.messages[2]?.content).toContain('demo-out');
  });
});

describe('tracing', () => {
  it('captures every predictor call in order with names, inputs, outputs and messages', async () => {
    const program = new TwoStepQA();
    const { result, trace } = await withSettings({ lm: echoLM() }, () => captureTrace(() => program.call({ question: 'Q' })));
    expect(result.answer).toBe('a(Q)');
    expect(trace.map((t) => t.predictorName)).toEqual(['rewrite', 'hops.0', 'hops.1', 'answerer.predict']);
    expect(trace[0]).toMatchObject({ inputs: { question: 'Q' }, outputs: { query: 'q(Q)' }, predictor: program.rewrite });
    expect(trace[3]?.outputs).toEqual({ reasoning: 'because', answer: 'a(Q)' });
    expect(trace[3]?.rawCompletion).toContain('[[ ## answer ## ]]');
    expect(trace[3]?.messages.at(-1)?.role).toBe('user');
  });

  it('keeps concurrent captures apart under Promise.all', async () => {
    const program = new TwoStepQA();
    const runs = await withSettings({ lm: echoLM() }, () =>
      Promise.all(['A', 'B', 'C', 'D'].map((q) => captureTrace(() => program.call({ question: q })))),
    );
    for (const [i, q] of ['A', 'B', 'C', 'D'].entries()) {
      const { trace, result } = runs[i]!;
      expect(result.answer).toBe(`a(${q})`);
      expect(trace).toHaveLength(4);
      expect(trace.every((t) => JSON.stringify(t.inputs).includes(q))).toBe(true);
    }
  });

  it('lets an outer capture see the calls of an inner one', async () => {
    const lm = echoLM();
    const first = new Predict('question -> query', { lm });
    const second = new Predict('query -> note', { lm });
    const { trace: outer, result: inner } = await captureTrace(async () => {
      await first.call({ question: 'x' });
      return captureTrace(() => second.call({ query: 'y' }));
    });
    expect(inner.trace.map((t) => t.predictor)).toEqual([second]);
    expect(outer.map((t) => t.predictor)).toEqual([first, second]);
  });

  it('records nothing when no capture is active', async () => {
    const predict = new Predict('question -> query', { lm: echoLM() });
    const { trace } = await captureTrace(async () => 1);
    await predict.call({ question: 'x' });
    expect(trace).toEqual([]);
  });
});

describe('settings', () => {
  it('configure sets defaults; withSettings scopes overrides per async call tree', async () => {
    configure({ lm: echoLM('global-') });
    const predict = new Predict('question -> query');
    const delays = [30, 5, 15, 0];
    const results = await Promise.all(
      delays.map((delay, i) =>
        withSettings({ lm: echoLM(`lm${i}-`) }, async () => {
          await new Promise((r) => setTimeout(r, delay));
          return (await predict.call({ question: 'x' })).query;
        }),
      ),
    );
    expect(results).toEqual(['lm0-q(x)', 'lm1-q(x)', 'lm2-q(x)', 'lm3-q(x)']);
    expect((await predict.call({ question: 'x' })).query).toBe('global-q(x)');
  });

  it('a predictor LM wins over settings', async () => {
    const predict = new Predict('question -> query', { lm: echoLM('own-') });
    const result = await withSettings({ lm: echoLM('scoped-') }, () => predict.call({ question: 'x' }));
    expect(result.query).toBe('own-q(x)');
  });

  it('callbacks see module and LM events, and a throwing callback does not break the program', async () => {
    const events: string[] = [];
    const program = new ChainOfThought('question -> answer');
    await withSettings(
      {
        lm: echoLM(),
        callbacks: [
          {
            onModuleStart: (e) => events.push(`start:${e.moduleName}`),
            onModuleEnd: (e) => events.push(`end:${e.moduleName}`),
            onLMStart: (e) => events.push(`lm:${e.predictorName}:${e.request.messages.length}`),
            onLMEnd: (e) => events.push(`lmend:${e.response?.completions.length}`),
          },
          {
            onModuleStart: () => {
              throw new Error('observer bug');
            },
          },
        ],
      },
      () => program.call({ question: 'q' }),
    );
    expect(events).toEqual([
      'start:ChainOfThought',
      'start:Predict',
      'lm:predict:2',
      'lmend:1',
      'end:Predict',
      'end:ChainOfThought',
    ]);
  });
});

describe('save and load', () => {
  it('round-trips instructions, demos and config, and behaves identically after load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsdspy-'));
    const path = join(dir, 'program.json');
    const lm = echoLM();
    const program = new TwoStepQA();
    program.setLM(lm);
    program.rewrite.instructions = 'Rewrite as a search query.';
    program.answerer.predict.demos = [{ question: 'd', query: 'dq', reasoning: 'r', answer: 'da' }];
    program.hops[1]!.config = { temperature: 0.3 };
    await program.save(path, { note: 'test' });

    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.format).toBe('tsdspy.program');
    expect(saved.version).toBe(1);
    expect(saved.metadata.note).toBe('test');
    expect(JSON.stringify(saved)).not.toContain('scripted/lm');

    const fresh = new TwoStepQA();
    fresh.setLM(lm);
    await fresh.load(path);
    expect(fresh.namedParameters()).toEqual(program.namedParameters());
    expect(fresh.answerer.predict.demos).toEqual(program.answerer.predict.demos);
    expect(fresh.hops[1]?.config).toEqual({ temperature: 0.3 });

    const before = await captureTrace(() => program.call({ question: 'same' }));
    const after = await captureTrace(() => fresh.call({ question: 'same' }));
    expect(after.result).toEqual(before.result);
    expect(after.trace.map((t) => t.messages)).toEqual(before.trace.map((t) => t.messages));
  });

  it('refuses a state whose predictors or signatures differ, naming the difference', () => {
    const state = new TwoStepQA().dumpState();
    const other = new ChainOfThought('question -> answer');
    expect(() => other.loadState(state)).toThrow(StateMismatchError);
    expect(() => other.loadState(state)).toThrow(/Not in the program: rewrite/);
    const single = new Predict('question -> query');
    const singleState = single.dumpState();
    expect(() => new Predict('question -> answer').loadState(singleState)).toThrow(/saved signature is "question -> query"/);
  });

  it('refuses documents that are not program states', async () => {
    expect(() => new Predict('a -> b').loadState({ format: 'other' })).toThrow(InvalidStateError);
    const dir = await mkdtemp(join(tmpdir(), 'tsdspy-'));
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ format: 'tsdspy.program', version: 2, predictors: {}, metadata: {} }));
    await expect(new Predict('a -> b').load(path)).rejects.toThrow(InvalidStateError);
  });
});

describe('Example', () => {
  it('splits inputs and labels and keeps unknown keys', () => {
    const ex = new Example({ question: 'q', answer: 'a', source: 'gsm8k' }).withInputs('question');
    expect(ex.inputs()).toEqual({ question: 'q' });
    expect(ex.labels()).toEqual({ answer: 'a', source: 'gsm8k' });
    expect(ex.get('source')).toBe('gsm8k');
    expect(ex.toJSON()).toEqual({ question: 'q', answer: 'a', source: 'gsm8k' });
    expect(ex.with({ answer: 'b' }).get('answer')).toBe('b');
    expect(ex.get('answer')).toBe('a');
    expect(() => new Example({ a: 1 }).inputs()).toThrow(/withInputs/);
    expect(() => new Example({ a: 1 }).withInputs('b' as 'a')).toThrow(/no key "b"/);
  });
});
