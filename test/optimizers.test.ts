import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BootstrapFewShot,
  BootstrapFewShotWithRandomSearch,
  COPRO,
  chatReply,
  compareOptimizers,
  GEPA,
  LabeledFewShot,
  type LMRequest,
  MIPROv2,
  Module,
  OptimizerConfigError,
  Predict,
  Rng,
  ScriptedLM,
  TPESampler,
  withSettings,
} from 'tsdspy';
import { describe, expect, it, vi } from 'vitest';
import { withFakeTTY } from './support/fake-tty.js';

vi.spyOn(console, 'info').mockImplementation(() => {});

/** question → answer pairs; the "model" below gets the odd ones wrong when it works alone. */
const data = Array.from({ length: 12 }, (_, i) => ({ question: `q${i}`, answer: `a${i}` }));
const metric = (example: Record<string, unknown>, pred: { answer?: unknown }) => (pred.answer === example.answer ? 1 : 0);

class TwoStep extends Module<{ question: string }, { answer: string }> {
  first = new Predict('question -> draft');
  second = new Predict('draft -> answer');
  async forward({ question }: { question: string }) {
    const { draft } = await this.first.call({ question });
    return { answer: (await this.second.call({ draft })).answer };
  }
}

const lastUser = (r: LMRequest) => r.messages.at(-1)?.content ?? '';
const system = (r: LMRequest) => r.messages[0]?.content ?? '';
const demoCount = (r: LMRequest) => r.messages.filter((m) => m.role === 'assistant').length;

/** Drafts echo the question; answers are right for even questions, or for any question when the step has ≥ 2 demos. */
function taskLM() {
  return new ScriptedLM((r) => {
    const text = lastUser(r);
    const question = /\[\[ ## question ## \]\]\n(\S+)/.exec(text)?.[1];
    if (question) return chatReply({ draft: `d-${question}` });
    const n = Number(/\[\[ ## draft ## \]\]\nd-q(\d+)/.exec(text)?.[1]);
    return chatReply({ answer: n % 2 === 0 || demoCount(r) >= 2 ? `a${n}` : 'wrong' });
  });
}

describe('LabeledFewShot', () => {
  it('samples k training examples as demos for every predictor, reproducibly, without touching the student', async () => {
    const student = new TwoStep();
    const compiled = await new LabeledFewShot({ k: 3, seed: 1 }).compile(student, data);
    expect(compiled.first.demos).toHaveLength(3);
    expect(compiled.second.demos).toEqual(compiled.first.demos);
    expect(compiled.first.demos.every((d) => data.some((e) => e.question === d.question && e.answer === d.answer))).toBe(true);
    const again = await new LabeledFewShot({ k: 3, seed: 1 }).compile(student, data);
    expect(again.first.demos).toEqual(compiled.first.demos);
    expect(student.first.demos).toEqual([]);
  });
});

describe('BootstrapFewShot', () => {
  it('keeps demos only from passing traces, per predictor name, and tops up with labeled examples', async () => {
    const lm = taskLM();
    const optimizer = new BootstrapFewShot({ metric, maxBootstrappedDemos: 3, maxLabeledDemos: 5, concurrency: 1 });
    const student = new TwoStep();
    const compiled = await withSettings({ lm }, () => optimizer.compile(student, data));
    const boot = compiled.first.demos.slice(0, 3);
    expect(boot).toEqual([
      { question: 'q0', draft: 'd-q0' },
      { question: 'q2', draft: 'd-q2' },
      { question: 'q4', draft: 'd-q4' },
    ]);
    expect(compiled.second.demos.slice(0, 3)).toEqual([
      { draft: 'd-q0', answer: 'a0' },
      { draft: 'd-q2', answer: 'a2' },
      { draft: 'd-q4', answer: 'a4' },
    ]);
    // Labeled fill-up: 2 raw examples not used for bootstrapping.
    const labeled = compiled.first.demos.slice(3);
    expect(labeled).toHaveLength(2);
    expect(labeled.every((d) => !['q0', 'q2', 'q4'].includes(String(d.question)) && d.answer !== undefined)).toBe(true);
    expect(optimizer.metricCalls).toBe(5); // q0..q4, stopping once every predictor has 3 demos
    expect(student.first.demos).toEqual([]);
  });

  it('uses a teacher when given, retries in later rounds, and gives up past maxErrors', async () => {
    // Works for q0 only, so the first pass is not a total failure (that aborts, see test/trust/abort.test.ts).
    const inner = taskLM();
    const failing = new ScriptedLM((r) => {
      if (!/\bq0\b|d-q0\b/.test(lastUser(r))) throw new Error('down');
      return inner.call(r).then((response) => response.completions[0]?.text ?? '');
    });
    await expect(
      withSettings({ lm: failing }, () =>
        new BootstrapFewShot({ metric, maxErrors: 2, maxRounds: 1 }).compile(new TwoStep(), data),
      ),
    ).rejects.toThrow(/more than maxErrors=2/);
    const teacher = new TwoStep();
    teacher.second.demos = [
      { draft: 'x', answer: 'y' },
      { draft: 'z', answer: 'w' },
    ]; // ≥ 2 demos: the teacher is always right
    const compiled = await withSettings({ lm: taskLM() }, () =>
      new BootstrapFewShot({ metric, teacher, maxBootstrappedDemos: 2, maxLabeledDemos: 2 }).compile(new TwoStep(), data),
    );
    expect(compiled.second.demos.map((d) => d.draft)).toEqual(['d-q0', 'd-q1']);
  });

  it('requires a metric', () => {
    expect(() => new BootstrapFewShot({} as never)).toThrow(OptimizerConfigError);
  });
});

describe('BootstrapFewShotWithRandomSearch', () => {
  it('scores zero-shot, labeled and bootstrap candidates on the valset and keeps the best', async () => {
    const optimizer = new BootstrapFewShotWithRandomSearch({
      metric,
      numCandidatePrograms: 3,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 4,
    });
    const compiled = await withSettings({ lm: taskLM() }, () =>
      optimizer.compile(new TwoStep(), data.slice(0, 8), data.slice(8)),
    );
    expect(optimizer.candidates.map((c) => c.label)).toEqual([
      'zero-shot',
      'labeled',
      'bootstrap',
      'bootstrap-shuffled-0',
      'bootstrap-shuffled-1',
      'bootstrap-shuffled-2',
    ]);
    expect(optimizer.candidates[0]?.score).toBe(0.5);
    const best = Math.max(...optimizer.candidates.map((c) => c.score));
    expect(best).toBe(1);
    const state = compiled.dumpState();
    expect(state.metadata.optimizer).toMatchObject({ name: 'BootstrapFewShotWithRandomSearch', bestScore: 1 });
    expect(compiled.second.demos.length).toBeGreaterThanOrEqual(2);
    expect(optimizer.metricCalls).toBeGreaterThan(6 * 4);
  });
});

describe('COPRO', () => {
  it('parses instruction proposals, scores each, and iterates on the best', async () => {
    const proposalsSeen: string[] = [];
    const lm = new ScriptedLM((r) => {
      if (system(r).includes('`proposed_instruction`')) {
        const round = String(r.rolloutId).split(':').at(-1);
        proposalsSeen.push(lastUser(r));
        return Array.from({ length: r.n ?? 1 }, (_, i) =>
          chatReply({ proposed_instruction: `Instruction r${round}v${i}`, proposed_prefix_for_output_field: `Answer${i}:` }),
        );
      }
      const instruction = /your objective is:\n(.*)/.exec(system(r))?.[1] ?? '';
      const question = /\[\[ ## question ## \]\]\n(\S+)/.exec(lastUser(r))?.[1] ?? 'q0';
      const n = Number(question.slice(1));
      return chatReply({ answer: instruction === 'Instruction r1v2' || n % 2 === 0 ? `a${n}` : 'no' });
    });
    const student = new Predict('question -> answer');
    const optimizer = new COPRO({ metric, breadth: 4, depth: 2 });
    const compiled = await withSettings({ lm }, () => optimizer.compile(student, data.slice(0, 6)));
    expect(compiled.instructions).toBe('Instruction r1v2');
    expect(compiled.signature.outputFields.at(-1)?.prefix).toBe('Answer2:');
    expect(optimizer.attempts.filter((a) => a.round === 0)).toHaveLength(4); // the original + 3 proposals
    expect(proposalsSeen.at(-1)).toContain('Resulting Score #');
    expect(student.instructions).toBe('Given the fields `question`, produce the fields `answer`.');
    expect(optimizer.metricCalls).toBe(optimizer.attempts.length * 6);
  });
});

describe('TPE', () => {
  it('finds better configurations than random search on average over seeds', () => {
    const params = 5;
    const choices = 6;
    const budget = 30;
    let tpeTotal = 0;
    let randomTotal = 0;
    for (let seed = 0; seed < 30; seed++) {
      const world = new Rng(1000 + seed);
      const values = Array.from({ length: params }, () => Array.from({ length: choices }, () => world.next()));
      const objective = (p: Record<string, number>) =>
        Object.entries(p).reduce((s, [k, v]) => s + (values[Number(k.slice(1))]?.[v] as number), 0) + world.next() * 0.2;
      const space = Object.fromEntries(Array.from({ length: params }, (_, i) => [`p${i}`, choices]));
      const sampler = new TPESampler({ space, seed });
      let best = -1;
      for (let t = 0; t < budget; t++) {
        const p = sampler.suggest();
        const score = objective(p);
        sampler.observe(p, score);
        best = Math.max(best, score);
      }
      tpeTotal += best;
      const rng = new Rng(seed + 77);
      let randomBest = -1;
      for (let t = 0; t < budget; t++) {
        randomBest = Math.max(randomBest, objective(Object.fromEntries(Object.keys(space).map((k) => [k, rng.int(choices)]))));
      }
      randomTotal += randomBest;
    }
    expect(tpeTotal / 30).toBeGreaterThan(randomTotal / 30);
  });
});

describe('MIPROv2', () => {
  it('grounds proposals in data and program descriptions, searches instruction × demos, and keeps the best full evaluation', async () => {
    const groundings: string[] = [];
    const lm = new ScriptedLM((r) => {
      const sys = system(r);
      if (sys.includes('`proposed_instruction`')) {
        groundings.push(lastUser(r));
        return chatReply({ proposed_instruction: `Proposal ${r.rolloutId}` });
      }
      if (sys.includes('`observations`')) return chatReply({ observations: 'Questions q<n> with answers a<n>.' });
      if (sys.includes('`program_description`')) return chatReply({ program_description: 'Two steps: draft then answer.' });
      const text = lastUser(r);
      const question = /\[\[ ## question ## \]\]\n(\S+)/.exec(text)?.[1];
      if (question) return chatReply({ draft: `d-${question}` });
      const n = Number(/\[\[ ## draft ## \]\]\nd-q(\d+)/.exec(text)?.[1]);
      const good = /your objective is:\nProposal mipro:second:2/.test(sys);
      return chatReply({ answer: good || n % 2 === 0 ? `a${n}` : 'wrong' });
    });
    const optimizer = new MIPROv2({
      metric,
      numCandidates: 3,
      numTrials: 12,
      minibatch: false,
      seed: 2,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 1,
    });
    const student = new TwoStep();
    const compiled = await withSettings({ lm }, () => optimizer.compile(student, data.slice(0, 8), data.slice(8)));
    expect(groundings[0]).toContain('[[ ## dataset_description ## ]]\nQuestions q<n> with answers a<n>.');
    expect(groundings[0]).toContain('[[ ## program_description ## ]]\nTwo steps: draft then answer.');
    expect(optimizer.trials).toHaveLength(13);
    const baseline = optimizer.trials[0]?.score ?? 0;
    const bestScore = Math.max(...optimizer.trials.map((t) => t.score));
    expect(baseline).toBe(0.5);
    expect(bestScore).toBe(1);
    expect(compiled.second.instructions).toBe('Proposal mipro:second:2');
    expect(compiled.dumpState().metadata.optimizer).toMatchObject({ name: 'MIPROv2', bestScore });
    expect(student.second.instructions).toBe('Given the fields `draft`, produce the fields `answer`.');
    expect(() => new MIPROv2({ metric })).toThrow(/auto/);
  });

  it('uses minibatches with periodic full evaluations', async () => {
    const lm = taskLM();
    const proposalLM = new ScriptedLM((r) =>
      system(r).includes('`proposed_instruction`')
        ? chatReply({ proposed_instruction: `p ${r.rolloutId}` })
        : system(r).includes('`observations`')
          ? chatReply({ observations: 'x' })
          : chatReply({ program_description: 'y' }),
    );
    const optimizer = new MIPROv2({
      metric,
      numCandidates: 2,
      numTrials: 10,
      minibatchSize: 3,
      minibatchFullEvalSteps: 5,
      promptModel: proposalLM,
    });
    const valset = Array.from({ length: 10 }, (_, i) => ({ question: `q${i}`, answer: `a${i}` }));
    await withSettings({ lm }, () => optimizer.compile(new TwoStep(), data, valset));
    expect(optimizer.trials.filter((t) => t.kind === 'minibatch')).toHaveLength(10);
    expect(optimizer.trials.filter((t) => t.kind === 'full').length).toBeGreaterThanOrEqual(2);
    expect(lm.requests.some((r) => system(r).includes('`observations`'))).toBe(false); // proposals went to the prompt model
  });
});

describe('all optimizers', () => {
  it('save and load their programs through the same JSON', async () => {
    const compiled = await withSettings({ lm: taskLM() }, () =>
      new BootstrapFewShot({ metric, maxBootstrappedDemos: 2, maxLabeledDemos: 2 }).compile(new TwoStep(), data),
    );
    const path = join(await mkdtemp(join(tmpdir(), 'opt-')), 'p.json');
    await compiled.save(path);
    const loaded = await new TwoStep().load(path);
    expect(loaded.dumpState().predictors).toEqual(compiled.dumpState().predictors);
    expect(JSON.parse(await readFile(path, 'utf8')).metadata.optimizer.name).toBe('BootstrapFewShot');
    const [a, b] = await withSettings({ lm: taskLM() }, () =>
      Promise.all([compiled.call({ question: 'q3' }), loaded.call({ question: 'q3' })]),
    );
    expect(b).toEqual(a);
  });
});

describe('compareOptimizers', () => {
  it('returns and prints a table of scores, metric calls, LM calls, tokens and time', async () => {
    const lm = taskLM();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const comparison = await withSettings({ lm }, () =>
      compareOptimizers({
        program: new TwoStep(),
        trainset: data.slice(0, 8),
        valset: data.slice(8, 10),
        testset: data.slice(10),
        optimizers: {
          labeled: new LabeledFewShot({ k: 2 }),
          bootstrap: new BootstrapFewShot({ metric, maxBootstrappedDemos: 2, maxLabeledDemos: 2, concurrency: 1 }),
          gepa: new GEPA({ metric, maxMetricCalls: 10, reflectionLM: () => '```\nsame\n```', displayProgress: false }),
        },
        metric,
      }),
    );
    const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
    log.mockRestore();
    expect(comparison.rows.map((r) => r.optimizer)).toEqual(['baseline', 'labeled', 'bootstrap', 'gepa']);
    const [baseline, labeled, bootstrap, gepa] = comparison.rows;
    expect(baseline).toMatchObject({ testScore: 0.5, metricCalls: 0, lmCalls: 0 });
    expect(labeled).toMatchObject({ testScore: 1, metricCalls: 0, lmCalls: 0 });
    expect(bootstrap?.metricCalls).toBe(3);
    expect(bootstrap?.lmCalls).toBe(6);
    expect(bootstrap?.inputTokens).toBeGreaterThan(0);
    expect(gepa?.metricCalls).toBeLessThanOrEqual(10);
    expect(gepa?.lmCalls).toBeGreaterThan(0);
    expect(printed).toContain('optimizer');
    expect(printed).toMatch(/labeled\s+100\.0%/);
    expect(comparison.toCSV().split('\n')[0]).toBe(
      'optimizer,testScore,valScore,metricCalls,lmCalls,inputTokens,outputTokens,wallTimeMs,error',
    );
    expect(comparison.toJSON().rows).toHaveLength(4);
    expect(comparison.best?.testScore).toBe(1);
  });
});

describe('progress display', () => {
  it('draws a bar on a TTY and stays silent elsewhere', async () => {
    const { optimizerProgress } = await import('../optimizers/progress.js');
    const written = await withFakeTTY((tty) => {
      const bar = optimizerProgress('Bootstrap', 4, true, tty);
      bar.tick(2, 'two demos');
      bar.stop();
    });
    expect(written).toContain('Bootstrap');
    const silent: string[] = [];
    const pipe = { isTTY: false, write: (c: string) => silent.push(c) > 0 } as unknown as NodeJS.WriteStream;
    optimizerProgress('Bootstrap', 4, true, pipe).tick();
    expect(silent).toEqual([]);
  });
});
