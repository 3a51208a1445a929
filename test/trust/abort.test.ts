import {
  BootstrapFewShot,
  BootstrapFewShotWithRandomSearch,
  COPRO,
  chatReply,
  Evaluate,
  GEPA,
  InvalidMetricResultError,
  MIPROv2,
  Module,
  OptimizationAbortedError,
  optimizeAnything,
  Predict,
  ScriptedLM,
  withSettings,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { captureStderr } from '../support/capture-stderr.js';

const data = Array.from({ length: 8 }, (_, i) => ({ question: `q${i}`, answer: `a${i}` }));

class QA extends Module<{ question: string }, { answer: string }> {
  step = new Predict('question -> answer');
  async forward(inputs: { question: string }) {
    return { answer: (await this.step.call(inputs)).answer };
  }
}

const answering = () =>
  new ScriptedLM((r) => {
    const q = /\[\[ ## question ## \]\]\n(\S+)/.exec(r.messages.at(-1)?.content ?? '')?.[1] ?? 'q0';
    return chatReply({ answer: `a${q.slice(1)}` });
  });

/** A metric with a typo: `pred.answr` is undefined, so `.trim()` throws on every example. */
const typoMetric = (ex: Record<string, unknown>, pred: { answer: string }) =>
  (pred as unknown as { answr: string }).answr.trim() === ex.answer;

async function expectAbort(run: () => Promise<unknown>, lm: ScriptedLM, pattern: RegExp) {
  const cap = captureStderr();
  let error: unknown;
  try {
    await withSettings({ lm }, run);
  } catch (e) {
    error = e;
  } finally {
    cap.restore();
  }
  expect(error).toBeInstanceOf(OptimizationAbortedError);
  const aborted = error as OptimizationAbortedError;
  expect(aborted.message).toMatch(pattern);
  expect(aborted.cause).toBeInstanceOf(TypeError);
  expect((aborted.cause as Error).stack).toContain('typoMetric');
  return aborted;
}

describe('optimizers abort on user-code bugs in the first full evaluation', () => {
  it('GEPA: the metric threw on 8 of 8 validation examples; no reflection call', async () => {
    const lm = answering();
    let reflections = 0;
    const gepa = new GEPA({
      metric: typoMetric,
      maxMetricCalls: 100,
      reflectionLM: () => {
        reflections++;
        return '```new```';
      },
      displayProgress: false,
    });
    const error = await expectAbort(
      () => gepa.compile(new QA(), data, data),
      lm,
      /the metric threw on 8 of 8 validation examples/,
    );
    expect(error.kind).toBe('metric');
    expect(reflections).toBe(0);
    expect(lm.requests.length).toBe(8);
  });

  it('BootstrapFewShot: the first pass over the trainset', async () => {
    const lm = answering();
    await expectAbort(
      () => new BootstrapFewShot({ metric: typoMetric, displayProgress: false }).compile(new QA(), data),
      lm,
      /BootstrapFewShot aborted.*the metric threw on 8 of 8 training examples/,
    );
  });

  it('MIPROv2: the baseline, before any proposer call', async () => {
    const lm = answering();
    await expectAbort(
      () =>
        new MIPROv2({ metric: typoMetric, numCandidates: 3, numTrials: 2, displayProgress: false }).compile(new QA(), data, data),
      lm,
      /MIPROv2 aborted.*8 of 8/,
    );
    expect(lm.requests.length).toBe(8);
  });

  it('COPRO: the baseline, before any proposal', async () => {
    const lm = answering();
    await expectAbort(
      () => new COPRO({ metric: typoMetric, breadth: 2, depth: 1, displayProgress: false }).compile(new QA(), data),
      lm,
      /COPRO aborted.*8 of 8/,
    );
    expect(lm.requests.length).toBe(8);
  });

  it('random search: the zero-shot baseline', async () => {
    const lm = answering();
    await expectAbort(
      () =>
        new BootstrapFewShotWithRandomSearch({ metric: typoMetric, numCandidatePrograms: 2, displayProgress: false }).compile(
          new QA(),
          data,
          data,
        ),
      lm,
      /BootstrapFewShotWithRandomSearch aborted.*8 of 8/,
    );
  });

  it('optimizeAnything: the evaluator threw on every seed evaluation', async () => {
    let reflections = 0;
    const cap = captureStderr();
    const run = optimizeAnything({
      seedCandidate: 'seed',
      dataset: [1, 2, 3],
      evaluator: (candidate: string, n: number) => (candidate as unknown as { lenght: { x: number } }).lenght.x + n,
      reflectionLM: () => {
        reflections++;
        return '```x```';
      },
      maxMetricCalls: 30,
      displayProgress: false,
    });
    const error = await run.catch((e: unknown) => e);
    cap.restore();
    expect(error).toBeInstanceOf(OptimizationAbortedError);
    expect((error as Error).message).toMatch(/the evaluator threw on 3 of 3/);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(reflections).toBe(0);
  });

  it('a metric returning NaN is an InvalidMetricResultError, counted and shown', async () => {
    const lm = answering();
    const error = await expectAbortKind(
      () =>
        new GEPA({
          metric: () => Number.NaN,
          maxMetricCalls: 100,
          reflectionLM: () => '```x```',
          displayProgress: false,
        }).compile(new QA(), data, data),
      lm,
    );
    expect(error.kind).toBe('invalidMetric');
    expect(error.message).toMatch(/not a score on 8 of 8/);
    expect(error.cause).toBeInstanceOf(InvalidMetricResultError);
    expect(String((error.cause as Error).message)).toContain('NaN');
  });
});

async function expectAbortKind(run: () => Promise<unknown>, lm: ScriptedLM) {
  const cap = captureStderr();
  const error = await withSettings({ lm }, run).catch((e: unknown) => e);
  cap.restore();
  expect(error).toBeInstanceOf(OptimizationAbortedError);
  return error as OptimizationAbortedError;
}

describe('failure summaries', () => {
  it('Evaluate prints one summary line on stderr for parse failures, and does not abort', async () => {
    const lm = new ScriptedLM(() => 'garbage with no markers');
    const cap = captureStderr();
    const result = await withSettings({ lm }, () =>
      new Evaluate({ devset: data.slice(0, 4), metric: () => 1, displayProgress: false }).run(new QA()),
    );
    cap.restore();
    const lines = cap.lines.filter((l) => l.includes('Evaluate:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tsdspy warn: Evaluate: 4 of 4 examples failed \(AdapterParseError ×4: ".*missing fields: answer/);
    expect(result.failures?.byError).toEqual({ AdapterParseError: 4 });
    expect(result.usage?.task.lmCalls).toBeGreaterThanOrEqual(4);
  });

  it('GEPA does not abort on parse failures, prints a line per failing valset evaluation, and reports errors', async () => {
    const lm = new ScriptedLM(() => 'garbage');
    const cap = captureStderr();
    const compiled = await withSettings({ lm }, () =>
      new GEPA({ metric: () => 1, maxMetricCalls: 14, reflectionLM: () => '```better```', displayProgress: false }).compile(
        new QA(),
        data.slice(0, 3),
        data.slice(0, 4),
      ),
    );
    cap.restore();
    expect(cap.text()).toMatch(/GEPA \(seed, valset\): 4 of 4 examples failed \(AdapterParseError ×4/);
    expect(compiled.detailedResults?.result.errors?.byError.AdapterParseError).toBeGreaterThanOrEqual(4);
  });

  it('Evaluate stops at maxErrors (default 10, as DSPy)', async () => {
    const lm = new ScriptedLM(() => 'garbage');
    const devset = Array.from({ length: 30 }, (_, i) => ({ question: `q${i}` }));
    const cap = captureStderr();
    const error = await withSettings({ lm }, () =>
      new Evaluate({ devset, metric: () => 1, displayProgress: false, concurrency: 1 }).run(new QA()),
    ).catch((e: unknown) => e);
    cap.restore();
    expect((error as Error).name).toBe('EvaluationAbortedError');
    expect((error as { partial: { results: unknown[] } }).partial.results).toHaveLength(10);
  });
});
