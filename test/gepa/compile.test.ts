import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  autoBudget,
  chatReply,
  Evaluate,
  GEPA,
  GEPAConfigError,
  OptimizerConfigError,
  Predict,
  ReAct,
  ScriptedLM,
  tool,
  withSettings,
  z,
} from 'tsdspy';
import { describe, expect, it, vi } from 'vitest';
import { factReflectionLM, factTaskLM, instructionsOf, KeyProgram, keyData, keyMetric } from '../support/program-task.js';

vi.spyOn(console, 'info').mockImplementation(() => {});
process.removeAllListeners('warning');

const quiet = { displayProgress: false } as const;

describe('GEPA.compile on a two-predictor program', () => {
  it('improves both predictors from their own feedback, and the score rises', async () => {
    const lm = factTaskLM();
    const trainset = keyData(6);
    const valset = keyData(6);
    const metric = keyMetric();
    const student = new KeyProgram();
    const before = await withSettings({ lm }, () =>
      new Evaluate({ devset: valset, metric, displayProgress: false }).run(student),
    );
    const optimized = await withSettings({ lm }, () =>
      new GEPA({ metric, maxMetricCalls: 200, reflectionLM: factReflectionLM, seed: 1, ...quiet }).compile(
        student,
        trainset,
        valset,
      ),
    );
    const after = await withSettings({ lm }, () =>
      new Evaluate({ devset: valset, metric, displayProgress: false }).run(optimized),
    );
    expect(before.score).toBe(0);
    expect(after.score).toBeGreaterThan(50);
    expect(optimized.lookup.instructions).toMatch(/key\d+ => c\d+/);
    expect(optimized.decode.predict.instructions).toMatch(/c\d+ => ans\d+/);
    // The student is untouched.
    expect(student.lookup.instructions).toBe(new KeyProgram().lookup.instructions);
    expect(student.decode.predict.instructions).toBe(new KeyProgram().decode.predict.instructions);
    const details = optimized.detailedResults;
    expect(details?.candidates.length).toBeGreaterThan(2);
    expect(details?.candidates[0]?.lookup.instructions).toBe(student.lookup.instructions);
    expect(details?.totalMetricCalls).toBeLessThanOrEqual(200);
    expect(optimized.namedPredictors().map(([n]) => n)).toEqual(['lookup', 'decode.predict']);
  });

  it('passes predName and predTrace to the metric for per-predictor feedback, and counts only program-level calls', async () => {
    const calls: Array<{ predName?: string; predTraceNames?: string[] }> = [];
    const lm = factTaskLM();
    const optimized = await withSettings({ lm }, () =>
      new GEPA({ metric: keyMetric(calls), maxMetricCalls: 40, reflectionLM: factReflectionLM, ...quiet }).compile(
        new KeyProgram(),
        {
          trainset: keyData(4),
          valset: keyData(4),
        },
      ),
    );
    const perPredictor = calls.filter((c) => c.predName);
    expect(perPredictor.length).toBeGreaterThan(0);
    for (const c of perPredictor) expect(c.predTraceNames).toEqual([c.predName]);
    expect(new Set(perPredictor.map((c) => c.predName))).toEqual(new Set(['lookup', 'decode.predict']));
    const programLevel = calls.filter((c) => !c.predName).length;
    expect(optimized.detailedResults?.totalMetricCalls).toBe(programLevel);
    expect(programLevel).toBeLessThanOrEqual(40);
  });

  it('is deterministic for a fixed seed', async () => {
    const run = () =>
      withSettings({ lm: factTaskLM() }, () =>
        new GEPA({ metric: keyMetric(), maxMetricCalls: 80, reflectionLM: factReflectionLM, seed: 3, ...quiet }).compile(
          new KeyProgram(),
          keyData(5),
          keyData(5),
        ),
      );
    const [a, b] = [await run(), await run()];
    expect(a.namedParameters()).toEqual(b.namedParameters());
    expect(a.detailedResults?.valAggregateScores).toEqual(b.detailedResults?.valAggregateScores);
    expect(a.detailedResults?.parents).toEqual(b.detailedResults?.parents);
  });

  it('saves the optimized program with optimizer metadata, and loads to the same predictions', async () => {
    const lm = factTaskLM();
    const optimized = await withSettings({ lm }, () =>
      new GEPA({ metric: keyMetric(), maxMetricCalls: 120, reflectionLM: factReflectionLM, ...quiet }).compile(
        new KeyProgram(),
        keyData(6),
        keyData(6),
      ),
    );
    const path = join(await mkdtemp(join(tmpdir(), 'gepa-save-')), 'optimized.json');
    await optimized.save(path);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.metadata.optimizer).toMatchObject({
      name: 'GEPA',
      options: { maxMetricCalls: 120, reflectionLM: 'custom function' },
    });
    expect(saved.metadata.optimizer.bestScore).toBeGreaterThan(0);
    expect(saved.metadata.optimizer.metricCalls).toBeLessThanOrEqual(120);
    expect(Object.keys(saved.predictors)).toEqual(['lookup', 'decode.predict']);
    const loaded = await new KeyProgram().load(path);
    for (const example of keyData(6)) {
      const [x, y] = await withSettings({ lm }, () =>
        Promise.all([optimized.call({ key: example.key }), loaded.call({ key: example.key })]),
      );
      expect(y).toEqual(x);
    }
  });
});

describe('score consistency', () => {
  it('warns once when a predictor-level score differs from the program-level score', async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((w) => {
      warnings.push(String(w));
      return true;
    });
    const inconsistent = (
      example: Record<string, unknown>,
      pred: { code?: unknown; answer?: unknown },
      ctx?: { predName?: string },
    ) => {
      const base = keyMetric()(example, pred, ctx as never);
      return ctx?.predName ? { ...base, score: base.score + 0.25 } : base;
    };
    await withSettings({ lm: factTaskLM() }, () =>
      new GEPA({ metric: inconsistent, maxMetricCalls: 40, reflectionLM: factReflectionLM, ...quiet }).compile(
        new KeyProgram(),
        keyData(4),
        keyData(4),
      ),
    );
    const mismatch = warnings.filter((w) => w.includes('but the whole program'));
    expect(mismatch).toHaveLength(1);
    warnings.length = 0;
    await withSettings({ lm: factTaskLM() }, () =>
      new GEPA({
        metric: inconsistent,
        maxMetricCalls: 40,
        reflectionLM: factReflectionLM,
        warnOnScoreMismatch: false,
        ...quiet,
      }).compile(new KeyProgram(), keyData(4), keyData(4)),
    );
    expect(warnings.filter((w) => w.includes('but the whole program'))).toHaveLength(0);
    spy.mockRestore();
  });
});

describe('resume', () => {
  it('resumes a compile from its run dir without spending the budget again', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'gepa-compile-run-'));
    const calls: Array<{ predName?: string }> = [];
    const compile = (metric: ReturnType<typeof keyMetric>) =>
      withSettings({ lm: factTaskLM() }, () =>
        new GEPA({ metric, maxMetricCalls: 60, reflectionLM: factReflectionLM, runDir, ...quiet }).compile(
          new KeyProgram(),
          keyData(4),
          keyData(4),
        ),
      );
    const first = await compile(keyMetric());
    const again = await compile(keyMetric(calls));
    expect(again.namedParameters()).toEqual(first.namedParameters());
    expect(again.detailedResults?.totalMetricCalls).toBe(first.detailedResults?.totalMetricCalls);
    expect(calls).toHaveLength(0);
  });
});

describe('format failures', () => {
  it('show reflection the raw reply and the expected structure, so the instruction can be repaired', async () => {
    const prompts: string[] = [];
    const lm = new ScriptedLM((request) =>
      instructionsOf(request).includes('USE THE MARKERS') ? chatReply({ label: 'ok' }) : 'label is ok (but no markers)',
    );
    const program = new Predict('text -> label', { adapter: undefined });
    const optimized = await withSettings({ lm }, () =>
      new GEPA({
        metric: (_ex, pred) => ({ score: pred.label === 'ok' ? 1 : 0, feedback: 'fine' }),
        maxMetricCalls: 20,
        reflectionLM: (prompt) => {
          prompts.push(prompt);
          return prompt.includes('failed to parse') ? '```\nClassify. USE THE MARKERS.\n```' : '```\nno idea\n```';
        },
        ...quiet,
      }).compile(program, [{ text: 'a' }, { text: 'b' }, { text: 'c' }], [{ text: 'd' }, { text: 'e' }]),
    );
    expect(prompts[0]).toContain('Raw reply:\n```\nlabel is ok (but no markers)\n```');
    expect(prompts[0]).toContain('[[ ## label ## ]]\n{label}');
    expect(optimized.instructions).toBe('Classify. USE THE MARKERS.');
    expect(optimized.detailedResults?.valAggregateScores.at(-1)).toBe(1);
  });

  it('scores program crashes as failureScore without stopping the run', async () => {
    // Crashes on every example but one (a crash on all of the seed's valset aborts: test/trust/abort.test.ts).
    const lm = new ScriptedLM((r) => {
      if (!(r.messages.at(-1)?.content ?? '').includes('\n5\n')) throw new Error('provider down');
      return '[[ ## a ## ]]\nok\n\n[[ ## completed ## ]]';
    });
    const optimized = await withSettings({ lm }, () =>
      new GEPA({ metric: () => 1, maxMetricCalls: 12, reflectionLM: () => '```\nx\n```', failureScore: 0, ...quiet }).compile(
        new Predict('q -> a'),
        [{ q: '1' }, { q: '2' }, { q: '3' }],
        [{ q: '4' }, { q: '5' }],
      ),
    );
    expect(optimized.detailedResults?.valAggregateScores[0]).toBe(0.5);
    expect(optimized.detailedResults?.totalMetricCalls).toBeLessThanOrEqual(12);
  });
});

describe('tool description optimization', () => {
  it('evolves a ReAct tool description so the agent picks the right tool, and saves it', async () => {
    const makeAgent = () =>
      new ReAct('question -> answer', {
        tools: [
          tool({ name: 'alpha', description: 'A tool.', parameters: z.object({}), execute: () => 'rainy' }),
          tool({ name: 'beta', description: 'A tool.', parameters: z.object({}), execute: () => 'sunny' }),
        ],
      });
    // The simulated agent uses the tool whose description mentions the weather, else the first one.
    const lm = new ScriptedLM((request) => {
      const system = request.messages[0]?.content ?? '';
      const last = request.messages.at(-1)?.content ?? '';
      if (system.includes('`next_thought`')) {
        if (last.includes('observation:'))
          return chatReply({ next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} });
        const pick = /\(\d\) (\w+): [^\n]*[Ww]eather/.exec(last)?.[1] ?? 'alpha';
        return chatReply({ next_thought: 'look it up', next_tool_name: pick, next_tool_args: {} });
      }
      const observation = /observation: (\w+)/.exec(last)?.[1] ?? 'none';
      return chatReply({ reasoning: 'from the tool', answer: observation });
    });
    const metric = (_ex: Record<string, unknown>, pred: { answer?: unknown }) =>
      pred.answer === 'sunny'
        ? { score: 1, feedback: 'Correct.' }
        : { score: 0, feedback: 'Wrong: the beta tool gives the current weather; alpha does not.' };
    // Simulated reflection: rewrites the description of the tool the feedback names; keeps every other text.
    const reflectionLM = (prompt: string) => {
      const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
      if (prompt.includes('the tool `beta`') && /beta tool gives the current weather/.test(prompt))
        return '```\nCurrent weather for the user question.\n```';
      return `\`\`\`\n${current}\n\`\`\``;
    };
    const questions = Array.from({ length: 4 }, (_, i) => ({ question: `What is the weather today? #${i}` }));
    const student = makeAgent();
    const optimized = await withSettings({ lm }, () =>
      new GEPA({
        metric,
        maxMetricCalls: 60,
        reflectionLM,
        optimizeToolDescriptions: true,
        componentSelector: 'all',
        useMerge: false,
        ...quiet,
      }).compile(student, questions, questions),
    );
    const params = optimized.namedParameters();
    expect(Object.keys(optimized.detailedResults?.result.candidates[0] ?? {})).toEqual(
      expect.arrayContaining(['react', 'extract', 'tools.alpha.description', 'tools.beta.description']),
    );
    expect(params['tools.beta.description']).toBe('Current weather for the user question.');
    expect(params['tools.alpha.description']).toBe('A tool.');
    expect(student.namedParameters()['tools.beta.description']).toBe('A tool.');
    const state = optimized.dumpState();
    const fresh = makeAgent().loadState(JSON.parse(JSON.stringify(state)));
    expect(fresh.namedParameters()).toEqual(params);
    expect(optimized.detailedResults?.valAggregateScores.at(-1)).toBe(1);
  });
});

describe('budgets and options', () => {
  it('derives auto budgets from predictors, candidates and valset size', () => {
    expect(autoBudget('light', 1, 100)).toBe(780);
    expect(autoBudget('light', 2, 50)).toBe(1030);
    expect(autoBudget('medium', 2, 50)).toBe(50 + 60 + 28 * 35 + (Math.floor(29 / 5) + 1) * 50);
    expect(autoBudget('heavy', 3, 20)).toBe(20 + 90 + 50 * 35 + (Math.floor(51 / 5) + 1) * 20);
  });

  it('uses the auto budget and maxFullEvals, and reports the number', async () => {
    const gepa = new GEPA({ metric: keyMetric(), auto: 'light', reflectionLM: factReflectionLM, ...quiet });
    await withSettings({ lm: factTaskLM() }, () => gepa.compile(new KeyProgram(), keyData(3), keyData(3)));
    expect(gepa.lastBudget).toBe(autoBudget('light', 2, 3));
    const full = new GEPA({ metric: keyMetric(), maxFullEvals: 4, reflectionLM: factReflectionLM, ...quiet });
    const compiled = await withSettings({ lm: factTaskLM() }, () => full.compile(new KeyProgram(), keyData(3), keyData(2)));
    expect(full.lastBudget).toBe(4 * (3 + 2));
    expect(compiled.detailedResults?.totalMetricCalls).toBeLessThanOrEqual(20);
  });

  it('rejects bad options clearly', () => {
    expect(() => new GEPA({ metric: keyMetric(), reflectionLM: factReflectionLM })).toThrow(/exactly one of auto/);
    expect(() => new GEPA({ metric: keyMetric(), auto: 'light', maxMetricCalls: 5, reflectionLM: factReflectionLM })).toThrow(
      GEPAConfigError,
    );
    expect(() => new GEPA({ metric: undefined as never, auto: 'light', reflectionLM: factReflectionLM })).toThrow(
      OptimizerConfigError,
    );
    expect(() => new GEPA({ metric: keyMetric(), auto: 'light' })).toThrow(/reflectionLM/);
  });

  it('uses a custom instructionProposer instead of the reflection prompt', async () => {
    const seen: string[][] = [];
    const optimized = await withSettings({ lm: factTaskLM() }, () =>
      new GEPA({
        metric: keyMetric(),
        maxMetricCalls: 60,
        instructionProposer: (candidate, dataset, components) => {
          seen.push([...components]);
          const facts = [...JSON.stringify(dataset).matchAll(/FACT (\w+) => (\w+)/g)].map((m) => `${m[1]} => ${m[2]}`);
          return Object.fromEntries(components.map((c) => [c, [candidate[c], ...facts].join('\n')]));
        },
        ...quiet,
      }).compile(new KeyProgram(), keyData(4), keyData(4)),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(optimized.detailedResults?.candidates.length).toBeGreaterThan(1);
  });
});
