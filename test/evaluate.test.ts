import {
  answerExactMatch,
  ChainOfThought,
  chatReply,
  Evaluate,
  EvaluationAbortedError,
  Example,
  exactMatch,
  f1,
  InvalidMetricResultError,
  Module,
  numericMatch,
  Predict,
  parseNumber,
  passageMatch,
  ScriptedLM,
  textF1,
  withSettings,
} from 'tsdspy';
import { describe, expect, it, vi } from 'vitest';
import { loadGsm8k, loadRecordedSolutions, type SolutionModel } from '../examples/data/gsm8k.js';

/** A program that echoes `x` after a delay that shrinks with the index, so completion order is reversed. */
class Echo extends Module<{ x: number }, { y: number }> {
  inFlight = 0;
  maxInFlight = 0;
  async forward({ x }: { x: number }) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 30 - x));
    this.inFlight--;
    if (x % 10 === 7) throw new Error(`bad ${x}`);
    return { y: x * 2 };
  }
}

const devset = Array.from({ length: 20 }, (_, x) => ({ x, y: x * 2 }));
const metric = (ex: Record<string, unknown>, pred: { y: number }) => ({
  score: pred.y === ex.y ? 1 : 0,
  feedback: `got ${pred.y}`,
});

describe('Evaluate', () => {
  it('returns results in devset order under concurrency, with errors scored as failures', async () => {
    const program = new Echo();
    const result = await new Evaluate({ devset, metric, concurrency: 4, displayProgress: false }).run(program);
    expect(result.results.map((r) => r.index)).toEqual(devset.map((_, i) => i));
    expect(program.maxInFlight).toBe(4);
    expect(result.errors).toBe(2);
    expect(result.results[7]).toMatchObject({ score: 0, error: 'Error: bad 7' });
    expect(result.results[3]).toMatchObject({ score: 1, feedback: 'got 6' });
    expect(result.score).toBe(90);
  });

  it('aborts past maxErrors with the partial results', async () => {
    const run = new Evaluate({ devset, metric, concurrency: 1, maxErrors: 2, displayProgress: false }).run(new Echo());
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvaluationAbortedError);
    const partial = (error as EvaluationAbortedError).partial;
    expect(partial.results).toHaveLength(18); // stops at the second error (index 17): errors ≥ maxErrors, as DSPy
    expect(partial.aborted).toBe(true);
  });

  it('stops on an AbortSignal and returns what completed', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 70);
    const result = await new Evaluate({ devset, metric, concurrency: 2, displayProgress: false }).run(new Echo(), {
      signal: controller.signal,
    });
    expect(result.aborted).toBe(true);
    expect(result.results.length).toBeGreaterThan(0);
    expect(result.results.length).toBeLessThan(20);
    expect(result.total).toBe(20);
  });

  it('uses failureScore, keeps stacks with provideTraceback, and rejects invalid metric results', async () => {
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      const result = await new Evaluate({
        devset: devset.slice(7, 8),
        metric,
        failureScore: -1,
        provideTraceback: true,
        displayProgress: false,
      }).run(new Echo());
      expect(result.results[0]?.score).toBe(-1);
      expect(result.results[0]?.stack).toContain('bad 7');
    } finally {
      process.stderr.write = stderr;
    }
    const bad = await new Evaluate({ devset: devset.slice(0, 1), metric: () => Number.NaN, displayProgress: false }).run(
      new Echo(),
    );
    expect(bad.results[0]?.error).toContain(InvalidMetricResultError.name);
  });

  it('prints the first displayTable results as a table', async () => {
    const table = vi.spyOn(console, 'table').mockImplementation(() => {});
    await new Evaluate({ devset: devset.slice(0, 5), metric, displayProgress: false, displayTable: 2 }).run(new Echo());
    expect(table).toHaveBeenCalledTimes(1);
    const rows = table.mock.calls[0]?.[0] as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ x: '1', y: '2', score: 1 });
    table.mockRestore();
  });

  it('exports JSON and CSV', async () => {
    const result = await new Evaluate({ devset: devset.slice(5, 8), metric, displayProgress: false }).run(new Echo());
    const json = result.toJSON();
    expect(json.results[0]).toMatchObject({ index: 0, example: { x: 5, y: 10 }, prediction: { y: 10 }, score: 1 });
    expect(result.toCSV()).toBe(
      'index,x,y,pred.y,score,feedback,error\n0,5,10,10,1,got 10,\n1,6,12,12,1,got 12,\n2,7,14,,0,,Error: bad 7\n',
    );
  });

  it('feeds Example inputs only (labels never reach the program)', async () => {
    const lm = new ScriptedLM((r) => chatReply({ answer: r.messages.at(-1)?.content.includes('gold') ? 'leaked' : 'Paris' }));
    const program = new Predict('question -> answer', { lm });
    const examples = [new Example({ question: 'Capital of France?', answer: 'Paris', note: 'gold' }).withInputs('question')];
    const result = await new Evaluate({ devset: examples, metric: exactMatch, displayProgress: false }).run(program);
    expect(result.score).toBe(100);
  });
});

describe('metrics', () => {
  it('exact match, F1 and passage match normalize text', () => {
    expect(exactMatch({ answer: 'The Eiffel Tower' }, { answer: 'eiffel tower!' })).toBe(true);
    expect(exactMatch({ answer: ['Paris', 'City of Light'] }, { answer: 'city of light' })).toBe(true);
    expect(textF1('the big red dog', 'a red dog')).toBeCloseTo(0.8);
    expect(f1({ answer: 'x' }, { answer: 'y' })).toBe(0);
    expect(passageMatch({ answer: 'Everest', context: ['K2 is tall', 'Mount Everest is taller'] }, {})).toBe(true);
    expect(passageMatch({ answer: 'Ever' }, { context: ['Mount Everest'] })).toBe(false);
    expect(answerExactMatch('label')({ label: 'pos' }, { label: 'POS' })).toBe(true);
  });

  it.each([
    ['A: 18', 18],
    ['#### 1,200', 1200],
    ['The total is $3.50.', 3.5],
    ['-4', -4],
    ['3/4', 0.75],
    ['no number', undefined],
    [42, 42],
  ])('parseNumber(%j) = %j', (text, expected) => {
    expect(parseNumber(text)).toBe(expected);
  });

  it('numericMatch compares parsed numbers', () => {
    expect(numericMatch({ answer: '1,000' }, { answer: 'So she earns $1000.' })).toBe(true);
    expect(numericMatch({ answer: '12' }, { answer: '13' })).toBe(false);
  });
});

describe('GSM8K recorded solutions replayed through ChainOfThought', () => {
  const models: SolutionModel[] = ['6b_finetuning', '6b_verification', '175b_finetuning', '175b_verification'];
  it.each(models)('%s: Evaluate accuracy equals the recorded is_correct count', async (model) => {
    const rows = loadRecordedSolutions();
    const bySolution = new Map(rows.map((r) => [r.question, r[model].solution]));
    // The scripted LM replies with the genuine recorded solution: its steps as the reasoning, its final `A: n` line as the answer.
    const lm = new ScriptedLM((request) => {
      const question =
        /\[\[ ## question ## \]\]\n([\s\S]*?)\n\nRespond with/.exec(request.messages.at(-1)?.content ?? '')?.[1] ?? '';
      const solution = bySolution.get(question);
      if (solution === undefined) throw new Error(`no recorded solution for: ${question.slice(0, 60)}`);
      const lines = solution.trim().split('\n');
      return chatReply({ reasoning: lines.slice(0, -1).join('\n'), answer: lines.at(-1) });
    });
    const program = new ChainOfThought('question -> answer');
    const devset = loadGsm8k('test');
    const result = await withSettings({ lm }, () =>
      new Evaluate({ devset, metric: numericMatch, displayProgress: false, concurrency: 16 }).run(program),
    );
    const expected = rows.filter((r) => r[model].is_correct).length;
    expect(result.errors).toBe(0);
    expect(Math.round((result.score * devset.length) / 100)).toBe(expected);
    expect(lm.callCount).toBe(devset.length);
  });
});
