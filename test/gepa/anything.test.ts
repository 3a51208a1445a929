import { AnythingAdapter, EvaluatorResultError, oa, optimizeAnything, stopWhen } from 'tsdspy';
import { describe, expect, it, vi } from 'vitest';

/** A reflection LM that appends a character; records every prompt. */
function recordingReflection(prompts: string[], grow = '+') {
  return (prompt: string) => {
    prompts.push(prompt);
    const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
    return `\`\`\`\n${current}${grow}\n\`\`\``;
  };
}

const quiet = { displayProgress: false } as const;

describe('optimizeAnything', () => {
  it('optimizes a string artifact in single-task mode, and gives back a string', async () => {
    const prompts: string[] = [];
    let calls = 0;
    const result = await optimizeAnything({
      seedCandidate: 'x',
      evaluator: (candidate) => {
        calls++;
        const text = candidate as string;
        oa.log(`length is ${text.length}`);
        return text.length >= 4 ? 1 : text.length / 4;
      },
      objective: 'Make it four characters long.',
      background: 'Only plus signs may be added.',
      reflectionLM: recordingReflection(prompts),
      maxMetricCalls: 10,
      ...quiet,
    });
    expect(result.bestCandidate).toBe('x+++');
    expect(result.bestScore).toBe(1);
    expect(result.candidates[0]).toBe('x');
    expect(calls).toBe(result.metadata.totalMetricCalls);
    expect(calls).toBeLessThanOrEqual(10);
    expect(prompts[0]).toContain('## Objective\nMake it four characters long.');
    expect(prompts[0]).toContain('## Background\nOnly plus signs may be added.');
    expect(prompts[0]).toContain('## Current artifact\n```\nx\n```');
    expect(prompts[0]).toContain('## Score\n0.25\n## Logs\nlength is 1');
  });

  it('accepts every evaluator return shape, and record seeds come back as records', async () => {
    for (const shape of ['number', 'tuple', 'object'] as const) {
      const prompts: string[] = [];
      const result = await optimizeAnything({
        seedCandidate: { a: 'p', b: 'q' },
        evaluator: (candidate) => {
          const c = candidate as Record<string, string>;
          const score = (c.a?.length ?? 0) + (c.b?.length ?? 0) >= 3 ? 1 : 0;
          const info = { sizes: [c.a?.length, c.b?.length] };
          return shape === 'number' ? score : shape === 'tuple' ? [score, info] : { score, info };
        },
        reflectionLM: recordingReflection(prompts),
        maxMetricCalls: 6,
        ...quiet,
      });
      expect(result.bestCandidate).toEqual({ a: 'p+', b: 'q' });
      if (shape !== 'number') expect(prompts[0]).toContain('## Info\nsizes: [');
    }
  });

  it('starts seedless from the objective', async () => {
    const result = await optimizeAnything({
      evaluator: (candidate) => ((candidate as string).startsWith('Hello') ? 1 : 0),
      objective: 'A greeting.',
      reflectionLM: (prompt) => (prompt.includes('Write a first version') ? 'Sure:\n```\nHello there\n```' : '```\nHi\n```'),
      maxMetricCalls: 3,
      ...quiet,
    });
    expect(result.metadata.generatedSeed).toBe('Hello there');
    expect(result.bestCandidate).toBe('Hello there');
    await expect(optimizeAnything({ evaluator: () => 1, reflectionLM: () => '', maxMetricCalls: 3 })).rejects.toThrow(
      /objective/,
    );
  });

  it('scores the test set for seed and best outside the budget', async () => {
    let calls = 0;
    const dataset = [1, 2, 3, 4];
    const result = await optimizeAnything({
      seedCandidate: 'x',
      dataset,
      testSet: [5, 6],
      evaluator: (candidate, example) => {
        calls++;
        return (candidate as string).length >= (example as number) ? 1 : 0;
      },
      reflectionLM: recordingReflection([], '++'),
      maxMetricCalls: 20,
      ...quiet,
    });
    expect(result.metadata.totalMetricCalls).toBeLessThanOrEqual(20);
    expect(calls).toBe(result.metadata.totalMetricCalls + 4);
    expect(result.metadata.seedTestScore).toBe(0);
    expect(result.metadata.testScore).toBe(
      (result.bestCandidate as string).length >= 6 ? 1 : (result.bestCandidate as string).length >= 5 ? 0.5 : 0,
    );
  });

  it('shows evaluator errors (with stack) and timeouts to reflection, and the run continues', async () => {
    const prompts: string[] = [];
    const result = await optimizeAnything({
      seedCandidate: 'start',
      dataset: ['boom', 'slow', 'ok'],
      evaluator: async (_candidate, example) => {
        if (example === 'boom') throw new RangeError('value out of range');
        if (example === 'slow') await new Promise((r) => setTimeout(r, 500));
        return 0.5;
      },
      evaluationTimeoutMs: 50,
      reflectionLM: recordingReflection(prompts),
      reflectionMinibatchSize: 3,
      stopWhen: stopWhen.maxIterations(1),
      maxMetricCalls: 20,
      ...quiet,
    });
    const prompt = prompts[0] ?? '';
    expect(prompt).toContain('error: RangeError: value out of range');
    expect(prompt).toContain('stack: RangeError: value out of range\n    at');
    expect(prompt).toContain('error: The evaluation timed out after 50 ms');
    expect(result.gepa.valSubscores[0]).toEqual([0, 0, 0.5]);
  });

  it('refuses non-numeric scores with a named error', async () => {
    await expect(
      optimizeAnything({ seedCandidate: 'x', evaluator: () => Number.NaN, reflectionLM: () => '', maxMetricCalls: 3, ...quiet }),
    ).rejects.toThrow(EvaluatorResultError);
    await expect(
      optimizeAnything({
        seedCandidate: 'x',
        evaluator: () => ({ score: 'high' }) as never,
        reflectionLM: () => '',
        maxMetricCalls: 3,
        ...quiet,
      }),
    ).rejects.toThrow(/returned "high" as a score/);
  });

  it('uses info.scores as objectives for multi-objective frontiers', async () => {
    const result = await optimizeAnything({
      seedCandidate: 'ab',
      dataset: [0, 1],
      evaluator: (candidate) => {
        const text = candidate as string;
        return { score: text.length / 10, info: { scores: { length: text.length / 10, brevity: 1 / text.length } } };
      },
      frontierType: 'objective',
      reflectionLM: recordingReflection([]),
      maxMetricCalls: 12,
      acceptanceCriterion: 'improvement_or_equal',
      ...quiet,
    });
    expect(result.candidates.length).toBeGreaterThan(1);
    expect(result.gepa.candidates[0]).toEqual({ current_candidate: 'ab' });
  });

  it('runs a batchEvaluator once per stage', async () => {
    const batches: number[] = [];
    const result = await optimizeAnything({
      seedCandidate: 'x',
      dataset: [1, 2, 3, 4],
      batchEvaluator: (candidate, examples) => {
        batches.push(examples.length);
        oa.log('batch log');
        return examples.map((e) => ((candidate as string).length >= e ? 1 : 0));
      },
      reflectionLM: recordingReflection([], '+++'),
      maxMetricCalls: 40,
      ...quiet,
    });
    expect(batches[0]).toBe(4);
    expect(batches.slice(1).every((n) => n === 3 || n === 4)).toBe(true);
    expect(result.bestScore).toBeGreaterThan(0.25);
  });
});

describe('oa.log', () => {
  it('keeps logs of concurrent evaluations apart', async () => {
    const adapter = new AnythingAdapter<number>({
      evaluator: async (_c, example) => {
        for (let i = 0; i < 5; i++) {
          oa.log(`example ${example} step ${i}`);
          await new Promise((r) => setTimeout(r, ((example as number) * 7 + i * 3) % 11));
        }
        return 1;
      },
      stringArtifact: true,
      singleTask: false,
      concurrency: 8,
      failureScore: 0,
      maxSideInfoChars: 4000,
    });
    const run = await adapter.evaluate([1, 2, 3, 4, 5, 6], { current_candidate: 'x' });
    run.trajectories?.forEach((t, i) => {
      expect(t.logs).toEqual(Array.from({ length: 5 }, (_, s) => `example ${i + 1} step ${s}`));
    });
  });

  it('is a no-op with a single warning outside an evaluation', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    oa.log('nobody hears this');
    oa.log('or this');
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('can capture console output as side information', async () => {
    const prompts: string[] = [];
    const log = vi.spyOn(console, 'log');
    await optimizeAnything({
      seedCandidate: 'x',
      evaluator: () => {
        console.log('printed by the evaluator');
        return 0;
      },
      captureConsole: true,
      reflectionLM: recordingReflection(prompts),
      maxMetricCalls: 2,
      ...quiet,
    });
    log.mockRestore();
    expect(prompts[0]).toContain('[console.log] printed by the evaluator');
  });

  it('truncates long side information with a visible note', async () => {
    const prompts: string[] = [];
    await optimizeAnything({
      seedCandidate: 'x',
      evaluator: () => {
        oa.log('y'.repeat(10_000));
        return 0;
      },
      maxSideInfoChars: 500,
      reflectionLM: recordingReflection(prompts),
      maxMetricCalls: 2,
      ...quiet,
    });
    expect(prompts[0]).toContain('characters cut');
    expect(prompts[0]?.length).toBeLessThan(3000);
  });
});
