import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GEPA, type GEPAResult, withSettings } from 'tsdspy';
import { beforeAll, describe, expect, it } from 'vitest';
import { factReflectionLM, factTaskLM, KeyProgram, keyData, keyMetric } from './support/program-task.js';
import { makeReportRun } from './support/report-run.js';

const exec = promisify(execFile);

/** Runs `tsdspy …` as a real child process (the CLI's source entry under tsx). */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let dir: string;
let result: GEPAResult;
let compileDir: string;
let compiled: KeyProgram;
let compileStderr = '';

beforeAll(async () => {
  ({ dir, result } = await makeReportRun());
  compileDir = join(mkdtempSync(join(tmpdir(), 'tsdspy-cli-compile-')), 'run');
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    compileStderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    compiled = await withSettings({ lm: factTaskLM() }, () =>
      new GEPA({
        metric: keyMetric(),
        maxMetricCalls: 60,
        reflectionLM: factReflectionLM,
        runDir: compileDir,
        displayProgress: false,
      }).compile(new KeyProgram(), keyData(4), keyData(4)),
    );
  } finally {
    process.stderr.write = write;
  }
}, 120_000);

describe('tsdspy CLI', { timeout: 120_000 }, () => {
  it('GEPA.compile with a runDir ends by printing the command that opens its report', () => {
    const lines = compileStderr.split('\n').filter((l) => l.includes('tsdspy report'));
    expect(lines).toEqual([`tsdspy: to see this run, open its report: npx tsdspy report ${compileDir} --open`]);
  });

  it('show: summary, budget, iterations, merges, LM usage and the best texts', async () => {
    const { code, stdout } = await cli(['show', dir]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `Candidates:   ${result.candidates.length} (${result.parents.filter((p) => p.length === 2).length} from merges)`,
    );
    expect(stdout).toContain(`Best:         #${result.bestIdx}  score ${result.bestScore.toFixed(4)}`);
    expect(stdout).toContain(`Metric calls: ${result.totalMetricCalls} of 220 budget`);
    expect(stdout).toMatch(/LM: +\d+ calls, [\d,]+ in \/ [\d,]+ out tokens/);
    for (const text of Object.values(result.bestCandidate)) expect(stdout).toContain(text);
    const json = JSON.parse((await cli(['show', dir, '--json'])).stdout);
    expect(json).toMatchObject({
      candidates: result.candidates.length,
      bestIdx: result.bestIdx,
      metricCalls: result.totalMetricCalls,
    });
    expect(json.lm.reflection.calls).toBeGreaterThan(0);
  });

  it('diff: a per-component diff of two candidates, coloured on request', async () => {
    const [i, j] = [0, result.bestIdx];
    const plain = await cli(['diff', dir, String(i), String(j)]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`--- candidate #${i}`);
    expect(plain.stdout).toContain(`+++ candidate #${j}`);
    for (const [name, text] of Object.entries(result.bestCandidate)) {
      if (text === result.candidates[0]?.[name]) continue;
      expect(plain.stdout).toContain(`@@ ${name}`);
      for (const line of text.split('\n').filter((l) => l !== 'Facts:')) expect(plain.stdout).toContain(`+ ${line}`);
    }
    expect(plain.stdout).not.toContain('\u001b[');
    const colored = await cli(['diff', dir, String(i), String(j), '--color']);
    expect(colored.stdout).toContain('\u001b[32m+ ');
  });

  it('export: texts as JSON, and for GEPA.compile runs a saved program that program.load() accepts', async () => {
    const texts = JSON.parse((await cli(['export', dir, '--candidate', '1'])).stdout);
    expect(texts).toMatchObject({ candidate: 1, texts: result.candidates[1] });
    const out = join(compileDir, 'exported.json');
    const exported = await cli(['export', compileDir, '--program', '-o', out]);
    expect(exported.code).toBe(0);
    const loaded = await new KeyProgram().load(out);
    expect(loaded.namedParameters()).toEqual(compiled.namedParameters());
    expect(JSON.parse(readFileSync(out, 'utf8')).metadata.exportedFrom.runDir).toBe(compileDir);
    const refused = await cli(['export', dir, '--program']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^tsdspy: .*holds no saved program.*\n$/);
  });

  it('report: writes the HTML file, and --open hands it to $BROWSER', async () => {
    const out = join(dir, 'custom.html');
    const opener = join(dir, 'opener.sh');
    writeFileSync(opener, `#!/bin/sh\necho "$1" > "${join(dir, 'opened.txt')}"\n`);
    chmodSync(opener, 0o755);
    const { code, stdout } = await cli(['report', dir, '-o', out, '--open'], { BROWSER: opener });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(out);
    expect(readFileSync(out, 'utf8')).toContain('data-chart="lineage"');
    await expect
      .poll(() => existsSync(join(dir, 'opened.txt')) && readFileSync(join(dir, 'opened.txt'), 'utf8').trim())
      .toBe(out);
  });

  it('a missing or corrupt run dir, or a bad index, gives one clear line and a non-zero exit, no stack trace', async () => {
    const corrupt = join(mkdtempSync(join(tmpdir(), 'tsdspy-cli-corrupt-')), 'run');
    cpSync(dir, corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'gepa-state.json'), '{"format": "tsdspy.gepa-state", "vers');
    const cases = [
      ['show', join(dir, 'nope')],
      ['report', corrupt],
      ['diff', dir, '0', '999'],
      ['export', corrupt],
    ];
    for (const args of cases) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args.join(' ')).not.toBe(0);
      expect(stdout).toBe('');
      expect(stderr.split('\n').filter(Boolean), `${args.join(' ')}: ${stderr}`).toHaveLength(1);
      expect(stderr).toMatch(/^tsdspy: /);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    expect((await cli(['diff', dir, '0', '999'])).stderr).toContain(`it has ${result.candidates.length} candidates`);
  });
});
