import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ChainOfThought,
  Evaluate,
  LM,
  type LMRequest,
  Module,
  optimize,
  Predict,
  type Prediction,
  ScriptedLM,
  withSettings,
} from 'tsdspy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { factOptions, factReflection } from './support/fact-task.js';
import { LoopbackServer } from './support/loopback-server.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const SECRET = 'sk-test-telemetry-secret-1234567890';

class Pipeline extends Module<{ question: string }, Prediction<{ answer: string }>> {
  think = new ChainOfThought('question -> draft');
  answer = new Predict('question, draft -> answer');
  async forward({ question }: { question: string }) {
    const { draft } = await this.think.call({ question });
    return this.answer.call({ question, draft: String(draft) });
  }
}

const scripted = () =>
  new ScriptedLM((request: LMRequest) => {
    const prompt = request.messages.map((m) => m.content).join('\n');
    return prompt.includes('[[ ## draft ## ]]') && prompt.includes('answer')
      ? '[[ ## answer ## ]]\n42\n\n[[ ## completed ## ]]'
      : '[[ ## reasoning ## ]]\nthink\n\n[[ ## draft ## ]]\nabout 42\n\n[[ ## completed ## ]]';
  });

const spans = () => exporter.getFinishedSpans();
const named = (prefix: string) => spans().filter((s) => s.name.startsWith(prefix));
const parentOf = (span: ReadableSpan) => spans().find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
/** Names from the span up to its root, innermost first. */
const ancestry = (span: ReadableSpan) => {
  const names: string[] = [];
  for (let s: ReadableSpan | undefined = span; s; s = parentOf(s)) names.push(s.name);
  return names;
};

let server: LoopbackServer;
beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  server = await new LoopbackServer().start();
});
afterAll(async () => {
  await server.stop();
  trace.disable();
});
afterEach(() => exporter.reset());

for (const mode of ['without a context manager', 'with an AsyncLocalStorage context manager'] as const) {
  describe(`spans ${mode}`, () => {
    const manager = new AsyncLocalStorageContextManager();
    beforeAll(() => {
      if (mode.startsWith('with ')) context.setGlobalContextManager(manager.enable());
    });
    afterAll(() => {
      manager.disable();
      context.disable();
    });

    it('nests program → module → predictor → LM, and concurrent calls stay in their own traces', async () => {
      const program = new Pipeline();
      await withSettings({ lm: scripted() }, () =>
        Promise.all([program.call({ question: 'a?' }), program.call({ question: 'b?' })]),
      );
      const programs = named('tsdspy.program');
      expect(programs.map((s) => s.name)).toEqual(['tsdspy.program Pipeline', 'tsdspy.program Pipeline']);
      expect(programs[0]?.spanContext().traceId).not.toBe(programs[1]?.spanContext().traceId);
      const lmSpans = named('chat ');
      expect(lmSpans).toHaveLength(4);
      const chains = lmSpans.map(ancestry).map((names) => names.join(' < '));
      expect(chains.filter((c) => c.includes('think.predict'))).toEqual([
        'chat lm < tsdspy.predict think.predict < tsdspy.module ChainOfThought < tsdspy.program Pipeline',
        'chat lm < tsdspy.predict think.predict < tsdspy.module ChainOfThought < tsdspy.program Pipeline',
      ]);
      expect(chains.filter((c) => c.includes('predict answer'))).toHaveLength(2);
      for (const lmSpan of lmSpans) {
        const root = ancestry(lmSpan).length;
        expect(root).toBeGreaterThanOrEqual(3);
        // the LM span is in the same trace as its program
        const top = programs.find((p) => p.spanContext().traceId === lmSpan.spanContext().traceId);
        expect(top).toBeDefined();
      }
      expect(programs.every((p) => p.attributes['tsdspy.inputs'] === undefined)).toBe(true);
    });

    it('a predictor called alone gets a program span and a predictor span; errors mark the span', async () => {
      const failing = new ScriptedLM(() => {
        throw new Error('provider down');
      });
      await expect(withSettings({ lm: failing }, () => new Predict('q -> a').call({ q: 'x' }))).rejects.toThrow('provider down');
      const predictSpan = named('tsdspy.predict self')[0] as ReadableSpan;
      expect(parentOf(predictSpan)?.name).toBe('tsdspy.program Predict');
      const lmSpan = named('chat ')[0] as ReadableSpan;
      expect(lmSpan.status.code).toBe(2);
      expect(lmSpan.attributes['error.type']).toBe('Error');
      expect(parentOf(lmSpan)?.name).toBe('tsdspy.predict self');
    });

    it('Evaluate.run wraps the program calls it makes', async () => {
      const devset = [
        { question: 'a?', answer: '42' },
        { question: 'b?', answer: '7' },
      ].map((e) => ({ ...e }));
      const evaluate = new Evaluate({
        devset,
        metric: (example, prediction: Prediction<{ answer: string }>) => (prediction.answer === example.answer ? 1 : 0),
        displayProgress: false,
      });
      await withSettings({ lm: scripted() }, () => evaluate.run(new Pipeline()));
      const run = named('tsdspy.evaluate')[0] as ReadableSpan;
      expect(run.attributes['tsdspy.evaluate.devset_size']).toBe(2);
      expect(run.attributes['tsdspy.evaluate.score']).toBe(50);
      const programs = named('tsdspy.program');
      expect(programs).toHaveLength(2);
      for (const p of programs) expect(parentOf(p)?.name).toBe('tsdspy.evaluate');
    });

    it('a GEPA run has an optimizer span, iteration spans, evaluation spans and reflection LM spans', async () => {
      const reflectionLM = new ScriptedLM((request: LMRequest) => factReflection(request.messages[0]?.content ?? ''));
      const { options } = factOptions({ reflectionLM, maxMetricCalls: 40 });
      const result = await optimize(options);
      const run = named('tsdspy.optimizer GEPA')[0] as ReadableSpan;
      expect(run.attributes['tsdspy.gepa.metric_calls']).toBe(result.totalMetricCalls);
      const iterations = named('tsdspy.gepa.iteration');
      expect(iterations.length).toBe(result.iterations);
      for (const it of iterations) expect(parentOf(it)?.name).toBe('tsdspy.optimizer GEPA');
      expect(iterations.filter((s) => s.attributes['tsdspy.gepa.accepted'] === true).length).toBe(result.candidates.length - 1);
      const evaluations = named('tsdspy.gepa.evaluation');
      const evaluated = evaluations.reduce((n, s) => n + Number(s.attributes['tsdspy.gepa.batch_size']), 0);
      expect(evaluated).toBe(result.totalMetricCalls);
      const reflections = named('chat ').filter((s) => s.attributes['tsdspy.predictor.name'] === 'gepa.reflection');
      expect(reflections.length).toBeGreaterThan(0);
      for (const r of reflections) expect(parentOf(r)?.name).toBe('tsdspy.gepa.iteration');
    });
  });
}

describe('LM spans', () => {
  const lm = () => new LM('openai/gpt-4.1-mini', { apiKey: SECRET, baseURL: server.openaiBaseURL, cache: false });

  it('follow the GenAI semantic conventions and carry no content by default', async () => {
    // The loopback server echoes the prompt, which holds no answer: the span is what matters here.
    await withSettings({ lm: lm() }, () => new Predict('question -> answer').call({ question: 'hello' }).catch(() => undefined));
    const span = named('chat ')[0] as ReadableSpan;
    expect(span.name).toBe('chat gpt-4.1-mini');
    expect(span.kind).toBe(2); // CLIENT
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4.1-mini',
    });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('carry prompts and replies only with captureContent, and never the API key', async () => {
    await withSettings({ lm: lm(), telemetry: { captureContent: true } }, () =>
      new Predict('question -> answer').call({ question: 'hello there' }).catch(() => undefined),
    );
    const span = named('chat ')[0] as ReadableSpan;
    expect(String(span.attributes['gen_ai.input.messages'])).toContain('hello there');
    expect(String(span.attributes['gen_ai.output.messages'])).toContain('echo:');
    expect(String(named('tsdspy.program')[0]?.attributes['tsdspy.inputs'])).toContain('hello there');
    const everything = JSON.stringify(spans().map((s) => [s.name, s.attributes, s.events]));
    expect(everything).not.toContain(SECRET);
    expect(server.requests.at(-1)?.headers.authorization).toContain(SECRET); // the key did go to the server
  });

  it('are not emitted when telemetry is turned off', async () => {
    await withSettings({ lm: scripted(), telemetry: { enabled: false } }, () => new Pipeline().call({ question: 'x' }));
    expect(spans()).toHaveLength(0);
  });
});

describe('without @opentelemetry/api installed', () => {
  it('programs and evaluations run as usual', { timeout: 60_000 }, async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--import',
      './test/support/without-otel.mjs',
      'test/support/without-otel-program.ts',
    ]);
    expect(JSON.parse(stdout.trim())).toEqual({ answer: '42', score: 100, otelResolvable: false });
  });
});
