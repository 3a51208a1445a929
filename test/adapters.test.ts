import {
  AdapterParseError,
  ChainOfThought,
  ChatAdapter,
  captureTraceSettled,
  chatReply,
  JSONAdapter,
  Predict,
  ScriptedLM,
  signature,
  z,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';

const qa = signature(
  "question, context: string[], level: int -> answer: number \"the final number\", verdict: 'ok' | 'bad'",
  'Solve it.',
);
const demos = [
  { question: 'one plus one', context: ['arith'], level: 1, answer: 2, verdict: 'ok' },
  { question: 'two times two', context: [], level: 2, answer: 4 },
];

describe('ChatAdapter formatting', () => {
  it('renders system structure, demos as turns and the final request', () => {
    const messages = new ChatAdapter().format(qa, demos, { question: 'three minus one', context: ['a', 'b'], level: 3 });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(messages).toMatchSnapshot();
    expect(messages[4]?.content).toContain('[[ ## verdict ## ]]\nNot supplied for this particular example.');
    expect(messages.at(-1)?.content).toContain('[[ ## context ## ]]\n["a","b"]');
  });

  it('uses overridden handlebars templates', () => {
    const adapter = new ChatAdapter({
      templates: { system: 'TASK: {{{instructions}}} OUT: {{#each outputs}}{{name}};{{/each}}' },
    });
    const [system] = adapter.format(qa, [], { question: 'q', context: [], level: 1 });
    expect(system?.content).toBe('TASK: Solve it. OUT: answer;verdict;');
  });
});

describe('ChatAdapter parsing', () => {
  const adapter = new ChatAdapter();

  it('round-trips formatted outputs', () => {
    const outputs = { answer: 1234.5, verdict: 'ok' };
    expect(adapter.parse(qa, chatReply(outputs))).toEqual(outputs);
  });

  it('coerces numbers, enums, booleans and lists leniently', () => {
    const sig = signature("x -> n: int, f: number, b: boolean, e: 'Yes' | 'No', l: string[], m: number[]");
    const reply =
      '[[ ## n ## ]]\n 1,200 \n[[ ## f ## ]]\n$3.50\n[[ ## b ## ]]\nYes\n[[ ## e ## ]]\n"no"\n[[ ## l ## ]]\n- alpha\n- beta\n[[ ## m ## ]]\n```json\n[1, "2"]\n```\n[[ ## completed ## ]]';
    expect(adapter.parse(sig, reply)).toEqual({ n: 1200, f: 3.5, b: true, e: 'No', l: ['alpha', 'beta'], m: [1, 2] });
  });

  it('ignores text after the completed marker and keeps the last occurrence of a field', () => {
    const sig = signature('x -> a');
    expect(adapter.parse(sig, '[[ ## a ## ]]\nfirst\n[[ ## a ## ]]\nsecond')).toEqual({ a: 'second' });
    expect(adapter.parse(sig, '[[ ## a ## ]]\nkept\n[[ ## completed ## ]]\n[[ ## a ## ]]\nlater')).toEqual({ a: 'kept' });
  });

  it('lets optional outputs be absent but never fills a required one silently', () => {
    const sig = signature('x -> a, b?: number');
    expect(adapter.parse(sig, '[[ ## a ## ]]\nhi')).toEqual({ a: 'hi' });
    const error = (() => {
      try {
        adapter.parse(qa, '[[ ## answer ## ]]\nforty-two\n[[ ## completed ## ]]');
      } catch (e) {
        return e as AdapterParseError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(AdapterParseError);
    expect(error.missing).toEqual(['verdict']);
    expect(error.invalid.map((i) => i.field)).toEqual(['answer']);
    expect(error.invalid[0]?.text).toBe('forty-two');
    expect(error.rawReply).toContain('forty-two');
    expect(error.signature).toBe(qa);
  });
});

describe('JSONAdapter', () => {
  it('parses fenced JSON, coerces string numbers, and requests a json_schema when supported', async () => {
    const lm = new ScriptedLM(['Sure!\n```json\n{"answer": "7", "verdict": "ok"}\n```'], {
      capabilities: { responseFormat: true },
    });
    const result = await new JSONAdapter().call({
      lm,
      signature: qa,
      demos,
      inputs: { question: 'q', context: [], level: 1 },
      config: {},
    });
    expect(result.outputs[0]).toEqual({ answer: 7, verdict: 'ok' });
    const request = lm.requests[0];
    expect(request?.responseFormat?.type).toBe('json_schema');
    expect(request?.responseFormat?.schema).toMatchObject({ required: ['answer', 'verdict'] });
    expect(request?.messages[2]?.content).toBe(JSON.stringify({ answer: 2, verdict: 'ok' }, null, 2));
  });

  it('omits the response format when the LM does not support it', async () => {
    const lm = new ScriptedLM(['{"answer": 1, "verdict": "bad"}']);
    await new JSONAdapter().call({ lm, signature: qa, demos: [], inputs: { question: 'q', context: [], level: 1 }, config: {} });
    expect(lm.requests[0]?.responseFormat).toBeUndefined();
  });

  it('throws AdapterParseError when there is no JSON object', () => {
    expect(() => new JSONAdapter().parse(qa, 'no json here')).toThrow(AdapterParseError);
  });
});

describe('fallback and failure', () => {
  it('falls back to JSON once when the chat format fails', async () => {
    const lm = new ScriptedLM(['answer is 3', '{"answer": 3, "verdict": "ok"}']);
    const predict = new Predict(qa, { lm });
    const pred = await predict.call({ question: 'q', context: [], level: 1 });
    expect(pred.answer).toBe(3);
    expect(lm.callCount).toBe(2);
    expect(lm.requests[1]?.messages.at(-1)?.content).toContain('Respond with a JSON object');
  });

  it('raises AdapterParseError when both fail, and the trace keeps the raw reply and error', async () => {
    const lm = new ScriptedLM(['garbage one', 'garbage two']);
    const predict = new Predict(qa, { lm });
    const { error, trace } = await captureTraceSettled(() => predict.call({ question: 'q', context: [], level: 1 }));
    expect(error).toBeInstanceOf(AdapterParseError);
    const parseError = error as AdapterParseError;
    expect(parseError.missing).toEqual(['answer', 'verdict']);
    expect(parseError.rawReply).toBe('garbage one');
    expect(parseError.adapter).toContain('JSONAdapter fallback');
    expect(trace).toHaveLength(1);
    expect(trace[0]?.predictorName).toBe('self');
    expect(trace[0]?.rawCompletion).toBe('garbage one');
    expect(trace[0]?.error).toBe(error);
    expect(trace[0]?.outputs).toEqual({});
    expect(trace[0]?.messages[0]?.role).toBe('system');
  });

  it('can disable the fallback', async () => {
    const lm = new ScriptedLM(['nope']);
    const predict = new Predict('q -> a: number', { lm, adapter: new ChatAdapter({ useJSONFallback: false }) });
    await expect(predict.call({ q: 'x' })).rejects.toBeInstanceOf(AdapterParseError);
    expect(lm.callCount).toBe(1);
  });
});

describe('formatForReflection', () => {
  it('renders inputs and outputs by field', () => {
    const text = new ChatAdapter().formatForReflection(qa, { question: 'q1', context: ['c'], level: 2 }, { answer: 5 });
    expect(text).toContain('### question\nq1');
    expect(text).toContain('### context\n["c"]');
    expect(text).toContain('### answer\n5');
    expect(text).toContain('### verdict\n(not produced)');
  });
});

describe('n > 1 completions', () => {
  it('parses every completion into prediction.completions', async () => {
    const lm = new ScriptedLM([[chatReply({ reasoning: 'a', answer: 1 }), chatReply({ reasoning: 'b', answer: 2 })]]);
    const cot = new ChainOfThought('question -> answer: number', { lm, config: { n: 2 } });
    const pred = await cot.call({ question: 'q' });
    expect(pred.answer).toBe(1);
    expect(pred.completions.map((c) => c.answer)).toEqual([1, 2]);
    expect(lm.requests[0]?.n).toBe(2);
    expect(pred.usage?.outputTokens).toBeGreaterThan(0);
    expect(z.number().parse(pred.answer)).toBe(1);
  });
});
