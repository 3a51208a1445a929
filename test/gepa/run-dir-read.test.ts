import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EVENTS_FILE,
  optimize,
  RunDirCorruptError,
  RunDirNotFoundError,
  readRunDir,
  ScriptedLM,
  STATE_FILE,
  stopWhen,
  TsdspyError,
} from 'tsdspy';
import { describe, expect, it } from 'vitest';
import { factData, factOptions, factReflection } from '../support/fact-task.js';
import { resumeOptions } from '../support/resume-task.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'gepa-read-'));

describe('readRunDir', () => {
  it('gives every candidate with its lineage, how it was made, and every iteration', async () => {
    const runDir = await tempDir();
    const result = await optimize(resumeOptions(runDir));
    const view = readRunDir(runDir);

    expect(view.config?.maxMetricCalls).toBe(150);
    expect(view.config?.seedCandidate).toEqual({ a: 'Facts:', b: 'Facts:' });
    expect(view.config?.valIds).toEqual(result.valIds);
    expect(view.finished).toBe(true);
    expect(view.candidates.map((c) => c.texts)).toEqual(result.candidates);
    expect(view.candidates.map((c) => c.parents)).toEqual(result.parents);
    expect(view.candidates.map((c) => c.valScores)).toEqual(result.valSubscores);
    expect(view.bestIdx).toBe(result.bestIdx);
    expect(view.totalMetricCalls).toBe(result.totalMetricCalls);
    expect(view.iterations.map((i) => i.iteration)).toEqual(Array.from({ length: result.iterations }, (_, i) => i + 1));

    expect(view.candidates[0]?.origin.kind).toBe('seed');
    for (const c of view.candidates.slice(1)) {
      expect(c.iteration).toBeGreaterThan(0);
      if (c.origin.kind === 'reflection') {
        expect(c.origin.parent).toBe(c.parents[0]);
        expect(c.origin.reflections.length).toBeGreaterThan(0);
        const exchange = c.origin.reflections[0];
        expect(exchange?.prompt).toContain('```');
        expect(factReflection(exchange?.prompt ?? '')).toBe(exchange?.reply);
        expect(c.origin.minibatch?.parentScores?.length).toBe(3);
        expect(c.origin.minibatch?.childScores?.length).toBe(3);
      } else if (c.origin.kind === 'merge') {
        expect(c.origin.parents).toEqual(c.parents);
        expect(c.origin.parentScores?.[0].length).toBe(c.origin.ids.length);
        expect(c.origin.childScores?.length).toBe(c.origin.ids.length);
      }
    }
    // Rejected proposals are there too, with their texts and minibatch scores.
    const rejected = view.iterations.filter((i) => !i.accepted && i.kind === 'reflection');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]?.proposal?.texts).toBeDefined();
    expect(rejected[0]?.reason).toMatch(/acceptance/);
    // Metric calls per iteration add up to the total (after the seed's valset run).
    const perIteration = view.iterations.reduce((s, i) => s + (i.metricCalls ?? 0), 0);
    expect(perIteration + result.valIds.length).toBe(result.totalMetricCalls);
    expect(view.iterations.every((i) => i.durationMs !== null && i.lm !== null)).toBe(true);
    expect(view.usage.reflection.calls).toBe(0); // a function reflection LM makes no LM calls
    expect(view.frontierHistory[0]).toEqual({ iteration: 0, frontier: [0] });
    expect(view.frontier).toEqual(view.frontierHistory.at(-1)?.frontier);
  });

  it('records how a merge was made: parents, ancestor, sub-sample and scores', async () => {
    const runDir = await tempDir();
    await optimize(
      factOptions({
        runDir,
        seedCandidate: { a: 'Facts:', b: 'Facts:' },
        trainset: factData(8, ['a', 'b']),
        valset: factData(8, ['a', 'b']),
        maxMetricCalls: 500,
        useMerge: true,
        mergeValOverlapFloor: 4,
        candidateSelectionStrategy: { name: 'seed', select: () => 0 },
        stopWhen: stopWhen.maxIterations(3),
      }).options,
    );
    const merged = readRunDir(runDir).candidates[3];
    expect(merged?.origin).toMatchObject({ kind: 'merge', parents: [1, 2], ancestor: 0, iteration: 3 });
    if (merged?.origin.kind !== 'merge') throw new Error('not a merge');
    expect(merged.origin.ids).toHaveLength(4);
    expect(merged.origin.parentScores?.map((s) => s.length)).toEqual([4, 4]);
    expect(merged.origin.childScores).toHaveLength(4);
  });

  it('counts task and reflection LM calls separately', async () => {
    const runDir = await tempDir();
    const reflection = new ScriptedLM((request) => factReflection(ScriptedLM.promptText(request)));
    await optimize(factOptions({ runDir, reflectionLM: reflection, maxMetricCalls: 40 }).options);
    const view = readRunDir(runDir);
    const reflections = view.iterations.flatMap((i) => i.proposal?.reflections ?? []);
    expect(view.usage.reflection.calls).toBe(reflections.length);
    expect(view.usage.reflection.calls).toBeGreaterThan(0);
    expect(view.usage.task.calls).toBe(0);
  });

  it('shows a resumed run once per iteration, with one session per process', async () => {
    const runDir = await tempDir();
    await optimize({ ...resumeOptions(runDir), stopWhen: stopWhen.maxIterations(4) });
    const result = await optimize(resumeOptions(runDir));
    const view = readRunDir(runDir);
    expect(view.sessions.map((s) => s.resumed)).toEqual([false, true]);
    expect(view.sessions[1]?.iteration).toBe(4);
    expect(view.iterations.map((i) => i.iteration)).toEqual(Array.from({ length: result.iterations }, (_, i) => i + 1));
    expect(view.candidates).toHaveLength(result.candidates.length);
  });

  it('ignores a torn last event line but names any other corruption', async () => {
    const runDir = await tempDir();
    await optimize(factOptions({ runDir, maxMetricCalls: 30 }).options);
    const eventsPath = join(runDir, EVENTS_FILE);
    const before = readRunDir(runDir);
    appendFileSync(eventsPath, '{"v":1,"type":"iterationSta');
    expect(readRunDir(runDir).iterations).toEqual(before.iterations);

    const lines = readFileSync(eventsPath, 'utf8').split('\n');
    lines[2] = '{"v":1,"ty';
    writeFileSync(eventsPath, lines.join('\n'));
    expect(() => readRunDir(runDir)).toThrow(RunDirCorruptError);
    expect(() => readRunDir(runDir)).toThrow(/events\.jsonl.*line 3/);
  });

  it('gives named errors for a missing run dir and an unreadable state', async () => {
    expect(() => readRunDir(join(tmpdir(), 'no-such-run-dir-xyz'))).toThrow(RunDirNotFoundError);
    const empty = await tempDir();
    expect(() => readRunDir(empty)).toThrow(RunDirNotFoundError);
    const runDir = await tempDir();
    await optimize(factOptions({ runDir, maxMetricCalls: 30 }).options);
    writeFileSync(join(runDir, STATE_FILE), '');
    expect(() => readRunDir(runDir)).toThrow(TsdspyError);
  });
});
