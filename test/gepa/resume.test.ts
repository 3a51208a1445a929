import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_FILE, type GEPAResult, optimize, RunDirMismatchError, STATE_FILE } from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { factOptions } from '../support/fact-task.js';
import { resumeOptions } from '../support/resume-task.js';

const comparable = (r: GEPAResult) => ({ ...r.toJSON(), runDir: null });

function runChild(runDir: string, killAt: number) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'test/support/run-resume-child.ts', runDir, String(killAt)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('determinism', () => {
  it('gives identical results for the same inputs and seed, and different ones for another seed', async () => {
    const a = await optimize(resumeOptions());
    const b = await optimize(resumeOptions());
    expect(comparable(b)).toEqual(comparable(a));
    expect(a.candidates.length).toBeGreaterThan(3);
    const c = await optimize({ ...resumeOptions(), seed: 12 });
    expect(JSON.stringify(comparable(c))).not.toEqual(JSON.stringify(comparable(a)));
  });
});

describe('run directory', () => {
  it('writes the state and a JSONL event log', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'gepa-run-'));
    const result = await optimize(resumeOptions(runDir));
    expect(result.runDir).toBe(runDir);
    const state = JSON.parse(readFileSync(join(runDir, STATE_FILE), 'utf8'));
    expect(state.format).toBe('tsdspy.gepa-state');
    expect(state.candidates).toEqual(result.candidates);
    expect(state.totalMetricCalls).toBe(result.totalMetricCalls);
    const events = readFileSync(join(runDir, EVENTS_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0].type).toBe('runStart');
    expect(events.at(-1).type).toBe('runEnd');
    expect(events.filter((e) => e.type === 'valsetEvaluated')).toHaveLength(result.candidates.length);
  });

  it('resumes a finished run without spending more, and continues it with a larger budget', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'gepa-run-'));
    const first = await optimize(resumeOptions(runDir));
    const again = await optimize(resumeOptions(runDir));
    expect(comparable(again)).toEqual(comparable(first));
    const more = await optimize({ ...resumeOptions(runDir), maxMetricCalls: 200 });
    expect(more.totalMetricCalls).toBeGreaterThan(first.totalMetricCalls);
    expect(more.totalMetricCalls).toBeLessThanOrEqual(200);
    expect(more.candidates.slice(0, first.candidates.length)).toEqual(first.candidates);
    expect(more.iterations).toBeGreaterThan(first.iterations);
  });

  it('refuses a run dir of another run or another version', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'gepa-run-'));
    await optimize(factOptions({ runDir, maxMetricCalls: 20 }).options);
    await expect(
      optimize(factOptions({ runDir, maxMetricCalls: 20, seedCandidate: { prompt: 'Other' } }).options),
    ).rejects.toThrow(RunDirMismatchError);
    await expect(optimize(factOptions({ runDir, maxMetricCalls: 20, seed: 99 }).options)).rejects.toThrow(/seed 7, not 99/);
    const statePath = join(runDir, STATE_FILE);
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    writeFileSync(statePath, JSON.stringify({ ...state, version: 99 }));
    await expect(optimize(factOptions({ runDir, maxMetricCalls: 20 }).options)).rejects.toThrow(/v99/);
  });
});

describe('resume after SIGKILL', () => {
  it('finishes with the same result as an uninterrupted run, wherever the kill lands', async () => {
    const reference = await optimize(resumeOptions());
    let totalEvents = 0;
    await optimize({ ...resumeOptions(), callbacks: [{ onEvent: () => totalEvents++ }] });
    expect(totalEvents).toBeGreaterThan(50);
    // Early (seed evaluation), mid-iteration, and late kills.
    const killPoints = [
      2,
      Math.floor(totalEvents * 0.23),
      Math.floor(totalEvents * 0.5) + 1,
      Math.floor(totalEvents * 0.81),
      totalEvents - 3,
    ];
    for (const killAt of killPoints) {
      const runDir = await mkdtemp(join(tmpdir(), 'gepa-kill-'));
      const killed = runChild(runDir, killAt);
      expect(killed.signal).toBe('SIGKILL');
      if (killAt > 10) expect(existsSync(join(runDir, STATE_FILE))).toBe(true);
      const resumed = await optimize(resumeOptions(runDir));
      expect(comparable(resumed), `kill at event ${killAt}`).toEqual(comparable(reference));
    }
  }, 120_000);

  it('a child run that is not killed gives the in-process result', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'gepa-kill-'));
    const child = runChild(runDir, -1);
    expect(child.status, child.stderr).toBe(0);
    const reference = await optimize(resumeOptions());
    expect({ ...JSON.parse(child.stdout), runDir: null }).toEqual(comparable(reference));
  }, 60_000);
});
