import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tsdspy from 'tsdspy';
import {
  chatReply,
  eraseMetric,
  GEPA,
  loadProgram,
  PROGRAM_API_REFERENCE,
  ProgramBuildError,
  ProgramRunError,
  ProgramSource,
  ProgramSourceAdapter,
  SandboxPool,
  ScriptedLM,
  withSettings,
} from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DenialTargets, startDenialTargets } from './support/denial-targets.js';

vi.spyOn(console, 'info').mockImplementation(() => {});
process.removeAllListeners('warning');

const pool = new SandboxPool({ size: 2, timeoutMs: 4000, memoryMb: 96 });
afterAll(() => pool.close());

/** A program whose one predictor answers; the scripted LM replies from its instructions. */
const SINGLE = `import { Module, Predict } from 'tsdspy';
class Solver extends Module {
  step = new Predict('question -> answer');
  async forward(inputs: { question: string }) {
    const { answer } = await this.step.call(inputs);
    return { answer };
  }
}
export default new Solver();
`;

const BETTER = SINGLE.replace(
  "new Predict('question -> answer')",
  "new Predict('question -> answer', {}); checked = true",
).replace('return { answer };', "return { answer: answer === 'unsure' ? String(inputs.question.length) : answer };");

/** The task LM is unsure about every question; the better program falls back to a rule that is right here. */
const lm = new ScriptedLM(() => chatReply({ answer: 'unsure' }));
const data = ['ab', 'abc', 'abcd', 'abcde', 'abcdef'].map((question) => ({ question, answer: String(question.length) }));
const metric = (example: Record<string, unknown>, pred: { answer?: unknown }) =>
  pred.answer === example.answer
    ? { score: 1, feedback: 'Correct.' }
    : { score: 0, feedback: `Expected ${example.answer}, got ${String(pred.answer)}.` };

describe('ProgramSource', () => {
  it('runs a TS program in the sandbox with LM calls proxied to the parent', async () => {
    const program = new ProgramSource(SINGLE, { pool });
    const seen = new ScriptedLM(() => chatReply({ answer: '42' }));
    const out = await withSettings({ lm: seen }, () => program.call({ question: 'q?' }));
    expect(out).toEqual({ answer: '42' });
    expect(seen.requests[0]?.messages.at(-1)?.content).toContain('[[ ## question ## ]]\nq?');
    const run = await withSettings({ lm: seen }, () => program.run({ question: 'again' }));
    expect(run.ok && run.trace.map((t) => t.predictorName)).toEqual(['step']);
  });

  it('reports build errors with line and column', async () => {
    const broken = new ProgramSource("import { Module } from 'tsdspy';\nconst x: number = ;\n", { pool });
    const error = await broken.build().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProgramBuildError);
    expect((error as ProgramBuildError).line).toBe(2);
    expect((error as ProgramBuildError).column).toBe(19);
    await expect(broken.call({})).rejects.toThrow(/program.ts:2:19/);
    const importsFs = new ProgramSource("import { readFileSync } from 'node:fs';\nexport default readFileSync;", { pool });
    await expect(importsFs.build()).rejects.toThrow(ProgramBuildError);
  });

  it('reports runtime errors and non-Module exports', async () => {
    const throws = new ProgramSource(SINGLE.replace('const { answer }', "throw new RangeError('bad step'); const { answer }"), {
      pool,
    });
    const result = await withSettings({ lm }, () => throws.run({ question: 'x' }));
    expect(result).toMatchObject({ ok: false, kind: 'runtime', error: { name: 'RangeError', message: 'bad step' } });
    await expect(withSettings({ lm }, () => throws.call({ question: 'x' }))).rejects.toBeInstanceOf(ProgramRunError);
    const notModule = new ProgramSource('export default 42;', { pool });
    expect(await notModule.run({})).toMatchObject({
      ok: false,
      kind: 'load',
      error: { message: expect.stringContaining('default-export a Module') },
    });
  });

  it('saves and loads as a runnable, still sandboxed program that gives the same outputs', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'ps-')), 'best-program.json');
    const program = new ProgramSource(BETTER, { pool });
    await program.save(path, { note: 'test' });
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved).toMatchObject({ format: 'tsdspy.program-source', version: 1, metadata: { note: 'test' } });
    const again = await loadProgram(path, { pool });
    for (const example of data) {
      const [a, b] = await withSettings({ lm }, () => Promise.all([program.call(example), again.call(example)]));
      expect(b).toEqual(a);
    }
    await expect(loadProgram(join(tmpdir(), 'missing-format.json')).catch(() => 'missing')).resolves.toBe('missing');
  });

  it('reuses the pool: processes start once, not per call', async () => {
    const own = new SandboxPool({ size: 2 });
    const program = new ProgramSource(SINGLE, { pool: own });
    await withSettings({ lm }, () => Promise.all(Array.from({ length: 12 }, (_, i) => program.call({ question: `q${i}` }))));
    expect(own.spawnCount).toBe(2);
    await own.close();
  });
});

describe('GEPA evolving a program source', () => {
  it('turns build errors, runtime errors and timeouts into feedback for reflection', async () => {
    const failing = {
      build:
        "import { Module } from 'tsdspy';\nexport default new (class extends Module { async forward() { return { answer: } } })();",
      runtime: SINGLE.replace('const { answer }', "throw new Error('exploded'); const { answer }"),
      timeout: SINGLE.replace('const { answer }', 'while (true) {} const { answer }'),
    };
    const seed = new ProgramSource(SINGLE, { pool: new SandboxPool({ size: 1, timeoutMs: 1000 }) });
    const adapter = new ProgramSourceAdapter(seed, eraseMetric(metric), 1, 0);
    for (const [kind, source] of Object.entries(failing)) {
      const run = await withSettings({ lm }, () => adapter.evaluate(data.slice(0, 1), { program: source }, true));
      expect(run.scores).toEqual([0]);
      const dataset = adapter.makeReflectiveDataset({ program: source }, run);
      const feedback = String(dataset.program?.[0]?.Feedback);
      if (kind === 'build')
        expect(feedback).toMatch(/did not build or load: ProgramBuildError: Program build error: program.ts:2:\d+/);
      if (kind === 'runtime') expect(feedback).toMatch(/threw: Error: exploded\nError: exploded\n\s+at /);
      if (kind === 'timeout') expect(feedback).toContain('failed (timeout)');
    }
  }, 30_000);

  it('shows reflection the source, the API and the runs, and accepts a better source so the score rises', async () => {
    const prompts: string[] = [];
    const gepa = new GEPA({
      metric,
      maxMetricCalls: 5 + 3 * 4,
      reflectionLM: (prompt) => {
        prompts.push(prompt);
        return `Here is the new program:\n\`\`\`ts\n${BETTER}\n\`\`\``;
      },
      reflectionMinibatchSize: 2,
      displayProgress: false,
    });
    const seed = new ProgramSource(
      SINGLE.replace('const { answer }', "if (inputs.question.length > 4) throw new Error('exploded'); const { answer }"),
      { pool },
    );
    const best = await withSettings({ lm }, () => gepa.compile(seed, data, data));
    expect(prompts[0]).toContain('## The current program\n```ts\nimport { Module, Predict }');
    expect(prompts[0]).toContain('## The tsdspy API available to programs');
    expect(prompts[0]).toMatch(/- step: inputs \{"question":"\w+"\} → outputs \{"answer":"unsure"\}|threw: Error: exploded/);
    expect(best.source).toBe(BETTER.trim());
    expect(best.metadata.optimizer).toMatchObject({ name: 'GEPA', mode: 'program-source', seedScore: 0, bestScore: 1 });
    expect(gepa.metricCalls).toBeLessThanOrEqual(17);
    expect(best.detailedResults?.candidates.map((c) => c.source)).toEqual([seed.source, BETTER.trim()]);
  }, 60_000);
});

describe('the API reference shown to reflection', () => {
  it('is generated from docs/program-api.md', async () => {
    expect(PROGRAM_API_REFERENCE).toBe(await readFile('docs/program-api.md', 'utf8'));
  });

  it('names only things tsdspy exports', () => {
    const named = [...PROGRAM_API_REFERENCE.matchAll(/`(?:new )?([A-Za-z]+)\(/g)].map((m) => m[1] as string);
    const exported = new Set(Object.keys(tsdspy));
    const builtins = new Set(['signature', 'tool']);
    for (const name of named) {
      if (
        [
          'call',
          'forward',
          'withInstructions',
          'appendInput',
          'appendOutput',
          'prependOutput',
          'delete',
          'map',
          'rewardFn',
        ].includes(name)
      )
        continue;
      expect(exported.has(name) || builtins.has(name), name).toBe(true);
    }
    expect(named.length).toBeGreaterThan(8);
  });
});

describe('sandbox denials from inside generated programs', () => {
  let targets: DenialTargets;
  beforeAll(async () => {
    targets = await startDenialTargets();
  });
  afterAll(() => targets.close());

  const attack = (body: string) =>
    new ProgramSource(
      `import { Module } from 'tsdspy';\nclass Attack extends Module { async forward() { ${body} } }\nexport default new Attack();`,
      { pool },
    ).run({});

  it('cannot write files', async () => {
    const target = join(targets.dir, 'pwned.txt');
    const r = await attack(
      `process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(target)}, 'x'); return { done: true };`,
    );
    expect(r.ok).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('cannot read a secret file', async () => {
    const r = await attack(
      `return { data: process.getBuiltinModule('fs').readFileSync(${JSON.stringify(targets.secret)}, 'utf8') };`,
    );
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('TOP SECRET');
  });

  it('cannot spawn processes', async () => {
    const r = await attack(`return { out: process.getBuiltinModule('child_process').execSync('id').toString() };`);
    expect(r.ok).toBe(false);
  });

  it('cannot connect to a loopback server', async () => {
    const r = await attack(`
      const net = process.getBuiltinModule('net');
      return await new Promise((resolve) => {
        const s = net.connect(${targets.port}, '127.0.0.1');
        s.on('data', () => resolve({ connected: true }));
        s.on('error', (e) => resolve({ connected: false, code: e.code }));
      });`);
    // Refused by the blocked network entry points (and, beneath them, by the empty network namespace).
    expect(r).toMatchObject({
      ok: false,
      kind: 'runtime',
      error: { message: expect.stringContaining('Network access is denied') },
    });
    expect(targets.connections()).toBe(0);
  });

  it('sees no secrets in the environment', async () => {
    process.env.OPENAI_API_KEY = process.env.OPENAI_API_KEY ?? 'sk-parent-secret-value';
    const r = await attack('return { env: process.env };');
    expect(r).toMatchObject({ ok: true, value: { env: {} } });
  });

  it('is cut on infinite loops and memory blow-ups, and the parent and pool survive', async () => {
    const small = new SandboxPool({ size: 1, timeoutMs: 800, memoryMb: 48 });
    const run = (body: string) =>
      new ProgramSource(
        `import { Module } from 'tsdspy';\nexport default new (class extends Module { async forward() { ${body} } })();`,
        { pool: small },
      ).run({});
    expect(await run('while (true) {}')).toMatchObject({ ok: false, kind: 'timeout' });
    expect(await run('const a = []; for (;;) a.push(new Array(1e6).fill(1));')).toMatchObject({
      ok: false,
      kind: expect.stringMatching(/memory|timeout/),
    });
    expect(await run("return { big: 'x'.repeat(2_000_000) };")).toMatchObject({ ok: false, kind: 'output' });
    expect(await run("return { fine: 'still alive' };")).toMatchObject({ ok: true, value: { fine: 'still alive' } });
    expect(small.spawnCount).toBeGreaterThanOrEqual(2); // the killed workers were replaced
    await small.close();
  }, 30_000);
});
