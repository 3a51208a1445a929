import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tsx = (file: string) =>
  run(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' } });

describe('examples', { timeout: 120_000 }, () => {
  it('the README quick start is examples/quickstart.ts, and it runs', async () => {
    const readme = await readFile('README.md', 'utf8');
    const source = await readFile('examples/quickstart.ts', 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
    const { stdout } = await tsx('examples/quickstart.ts');
    expect(stdout).toContain("8849 [ 'query', 'answer.predict' ]");
    expect(stdout).toContain('"Answer with the number only."');
  });

  it('the two-step QA example runs offline and says its LM is simulated', async () => {
    const { stdout } = await tsx('examples/two-step-qa/main.ts');
    expect(stdout).toContain('Running on a ScriptedLM (simulated replies');
    expect(stdout).toContain('no model is called');
    expect(stdout).toContain('A: Mount Everest is 8849 metres tall.');
    expect(stdout).toContain('reloaded; instructions kept: "Write a short keyword query');
  });

  it('the ReAct example runs its tools offline and says it is simulated', async () => {
    const { stdout } = await tsx('examples/react-agent/main.ts');
    expect(stdout).toContain('Running on a ScriptedLM (it simulates the agent');
    expect(stdout).toContain('multiply({"a":2.25,"b":3}) -> 6.75');
    expect(stdout).toContain('total: 6.75');
  });

  it('the GSM8K GEPA example (the main job) improves offline and labels the run as simulated', async () => {
    const { stdout } = await tsx('examples/gsm8k-gepa/main.ts');
    expect(stdout).toContain('SIMULATED RUN');
    expect(stdout).toContain('they are not the accuracy of any model');
    const baseline = Number(/Baseline test score: ([\d.]+)%/.exec(stdout)?.[1]);
    const final = Number(/Final test score: +([\d.]+)%/.exec(stdout)?.[1]);
    expect(final).toBeGreaterThan(baseline);
    expect(stdout).toMatch(/Metric calls used: +\d+ \(budget 240\)/);
    expect(stdout).toContain('Evolved instruction:');
  });

  it('the RAG + GEPA example retrieves with Embeddings, improves offline and labels the run as simulated', async () => {
    const { stdout } = await tsx('examples/rag-gepa/main.ts');
    expect(stdout).toContain('SIMULATED RUN');
    const baseline = Number(/Baseline test score: ([\d.]+)%/.exec(stdout)?.[1]);
    const final = Number(/Final test score: +([\d.]+)%/.exec(stdout)?.[1]);
    expect(final).toBeGreaterThan(baseline);
    expect(stdout).toContain('key names and nouns');
  });

  it('optimizeAnything evolves sandboxed code offline and labels the simulated reflection', async () => {
    const { stdout } = await tsx('examples/optimize-anything/main.ts');
    expect(stdout).toContain('SIMULATED RUN');
    const [seed, best] = (/Test score: seed ([\d.]+) → best ([\d.]+)/.exec(stdout) ?? []).slice(1).map(Number);
    expect(best).toBeGreaterThan(seed as number);
    expect(stdout).toContain('sort((a, b) => b - a)');
  }, 120_000);

  it('DefaultAdapter system-prompt optimization on GSM8K runs offline and says it is simulated', async () => {
    const { stdout } = await tsx('examples/system-prompt-gsm8k/main.ts');
    expect(stdout).toContain('SIMULATED RUN');
    const [seed, best] = (/Seed valset score: ([\d.]+); best: ([\d.]+)/.exec(stdout) ?? []).slice(1).map(Number);
    expect(best).toBeGreaterThan(seed as number);
  });

  it('the ConfidenceAdapter banking example raises confidence-weighted scores', async () => {
    const { stdout } = await tsx('examples/confidence-banking/main.ts');
    expect(stdout).toContain('SIMULATED RUN');
    const scores = (/by candidate \(confidence-weighted\): ([\d., ]+)/.exec(stdout)?.[1] ?? '').split(', ').map(Number);
    expect(Math.max(...scores)).toBeGreaterThan((scores[0] as number) + 0.2);
  });

  it('the optimizer comparison runs offline, labels the simulated LMs, and prints every optimizer', async () => {
    const { stdout } = await tsx('examples/compare-optimizers/main.ts');
    expect(stdout).toContain('SIMULATED RUN');
    for (const name of ['baseline', 'labeled', 'bootstrap', 'copro', 'mipro', 'gepa'])
      expect(stdout).toMatch(new RegExp(`^${name} +[\\d.]+%`, 'm'));
    expect(stdout).toContain('Best on the test slice:');
  }, 120_000);

  it('the program-evolution example rewrites the program in the sandbox and labels the simulated LMs', async () => {
    const { stdout } = await tsx('examples/math-program/main.ts');
    expect(stdout).toContain('SIMULATED RUN');
    const [seed, best] = (/Valset score: seed ([\d.]+)% → best ([\d.]+)%/.exec(stdout) ?? []).slice(1).map(Number);
    expect(best).toBeGreaterThan(seed as number);
    expect(stdout).toMatch(/^\+ .*new ChainOfThought\(/m);
    // Each program source gets its own worker (programs never share a process), so processes follow the number of
    // distinct sources, not the number of calls.
    const [calls, started] = (/Metric calls: (\d+); sandbox processes started: (\d+)/.exec(stdout) ?? []).slice(1).map(Number);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan((calls as number) / 4);
  }, 120_000);

  it('the GSM8K Evaluate example reproduces the recorded accuracy', async () => {
    const { stdout } = await tsx('examples/evaluate-gsm8k/main.ts');
    expect(stdout).toContain('no live model is called');
    expect(stdout).toContain('Score: 58.0% (58/100 correct)');
    expect(stdout).toContain('marks 58/100');
  });
});
