import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GEPAConfigError, optimize, stopWhen } from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { FactAdapter, factData, factOptions } from '../support/fact-task.js';

describe('budget accounting', () => {
  it.each([8, 9, 10, 11, 13, 17, 20, 26, 33, 50, 77])(
    'never exceeds maxMetricCalls=%i and counts exactly what the adapter saw',
    async (budget) => {
      for (const useMerge of [false, true]) {
        const adapter = new FactAdapter();
        const result = await optimize({
          ...factOptions({ adapter }).options,
          trainset: factData(10, ['a', 'b']),
          valset: factData(8, ['a', 'b']),
          seedCandidate: { a: 'Facts:', b: 'Facts:' },
          maxMetricCalls: budget,
          useMerge,
          mergeValOverlapFloor: 3,
        });
        expect(result.totalMetricCalls).toBe(adapter.seen);
        expect(result.totalMetricCalls).toBeLessThanOrEqual(budget);
        expect(result.stopReason).toMatch(/maxMetricCalls/);
      }
    },
  );

  it('refuses a budget smaller than the valset before spending anything', async () => {
    const adapter = new FactAdapter();
    await expect(optimize({ ...factOptions({ adapter }).options, maxMetricCalls: 7 })).rejects.toThrow(GEPAConfigError);
    expect(adapter.seen).toBe(0);
  });

  it('needs some stop condition', async () => {
    await expect(optimize({ ...factOptions().options, maxMetricCalls: undefined })).rejects.toThrow(/needs a budget/);
  });
});

describe('stop conditions', () => {
  const run = (overrides: Parameters<typeof factOptions>[0]) => {
    const { adapter, options } = factOptions({ maxMetricCalls: 1000, ...overrides });
    return optimize(options).then((result) => ({ result, adapter }));
  };

  it('maxIterations', async () => {
    const { result, adapter } = await run({ stopWhen: stopWhen.maxIterations(3) });
    expect(result.iterations).toBe(3);
    expect(result.stopReason).toBe('maxIterations(3)');
    expect(result.totalMetricCalls).toBe(adapter.seen);
  });

  it('noImprovement', async () => {
    const same = (p: string) => `\`\`\`\n${/```\n([\s\S]*?)\n```/.exec(p)?.[1]}\n\`\`\``;
    const { result } = await run({ stopWhen: stopWhen.noImprovement(4), reflectionLM: same });
    expect(result.iterations).toBe(4);
    expect(result.stopReason).toBe('noImprovement(4)');
  });

  it('scoreThreshold', async () => {
    const { result } = await run({ trainset: factData(8), valset: factData(8), stopWhen: stopWhen.scoreThreshold(0.5) });
    expect(result.bestScore).toBeGreaterThanOrEqual(0.5);
    expect(result.stopReason).toBe('scoreThreshold(0.5)');
    expect(result.valAggregateScores.filter((s) => s >= 0.5)).toHaveLength(1); // stopped right after reaching it
  });

  it('timeout', async () => {
    const { result } = await run({ stopWhen: stopWhen.timeout(0) });
    expect(result.iterations).toBe(0);
    expect(result.stopReason).toBe('timeout(0ms)');
  });

  it('maxReflectionCost, from the cost the reflection LM reports', async () => {
    let calls = 0;
    const lm = {
      model: 'test/costly',
      call: async (request: { messages: { content: string }[] }) => {
        calls++;
        const { factReflection } = await import('../support/fact-task.js');
        return { completions: [{ text: factReflection(request.messages[0]?.content ?? '') }], cost: 0.4 };
      },
    };
    const { result } = await run({ reflectionLM: lm, stopWhen: stopWhen.maxReflectionCost(1) });
    expect(calls).toBe(3);
    expect(result.stopReason).toBe('maxReflectionCost(1)');
  });

  it('a stop file appearing in the run dir', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'gepa-stop-'));
    let iterations = 0;
    const { result } = await run({
      runDir,
      stopWhen: stopWhen.stopFile(),
      callbacks: [
        {
          iterationEnd: () => {
            iterations++;
            if (iterations === 2) writeFileSync(join(runDir, 'STOP'), '');
          },
        },
      ],
    });
    expect(result.iterations).toBe(2);
    expect(result.stopReason).toBe('stopFile(STOP)');
  });

  it('an AbortSignal, also in the middle of an iteration', async () => {
    const controller = new AbortController();
    const { result, adapter } = await run({
      signal: controller.signal,
      callbacks: [{ proposal: (e) => e.iteration === 3 && controller.abort() }],
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.iterations).toBe(3);
    expect(result.totalMetricCalls).toBe(adapter.seen);
  });

  it('combines conditions: the first to fire wins', async () => {
    const { result } = await run({ maxMetricCalls: 500, stopWhen: [stopWhen.maxIterations(2), stopWhen.noImprovement(50)] });
    expect(result.stopReason).toBe('maxIterations(2)');
  });
});
