/**
 * HTML report at scale (issue 14): a run of 1,000 candidates × 5,000 validation examples (branching lineage, merges,
 * a reflection prompt and reply per candidate, 1,000 rejected proposals, LM usage per iteration). Measures the time
 * to build the report file from the run's view (targets: < 5 s) and to render it in headless Chromium, from
 * navigation start to the end of drawing (< 2 s), plus the file size, and the file size of a 50-candidate run.
 * The view is synthesized in memory: the engine cannot produce a run of this size in a benchmark's time.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunDirView, renderReportHtml, reportData } from 'tsdspy';
import { launchChromium } from '../test/support/browser.js';

type Candidate = RunDirView['candidates'][number];
type Iteration = RunDirView['iterations'][number];

/** A deterministic pseudo-random stream. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

export function syntheticView(numCandidates: number, valSize: number): RunDirView {
  const random = rng(42);
  const valIds = Array.from({ length: valSize }, (_, i) => i);
  const usage = (calls: number, tokens: number) => ({
    calls,
    inputTokens: tokens,
    outputTokens: Math.round(tokens / 8),
    cost: tokens * 2e-7,
  });
  const candidates: Candidate[] = [];
  const iterations: Iteration[] = [];
  let calls = valSize;
  const instruction = (i: number) =>
    `Solve the problem step by step. Variant ${i}.\n${'Check every intermediate number twice before answering. '.repeat(6)}\nRule ${i % 97}: ${'mind the units; '.repeat(4)}`;
  for (let c = 0; c < numCandidates; c++) {
    const merge = c > 10 && c % 25 === 0;
    const parents =
      c === 0
        ? []
        : merge
          ? [Math.floor(random() * c), Math.floor(random() * c)].filter((p, k, a) => a.indexOf(p) === k)
          : [Math.max(0, c - 1 - Math.floor(random() * Math.min(c, 30)))];
    const level = 0.3 + 0.5 * (c / numCandidates);
    const valScores = valIds.map(() => (random() < level ? 1 : 0));
    const valAggregate = valScores.reduce((a: number, b) => a + b, 0) / valSize;
    const texts = { instruction: instruction(c), format: c % 3 === 0 ? `Answer as a number. (${c})` : 'Answer as a number.' };
    const iteration = c;
    const minibatch = { ids: [1, 2, 3], parentScores: [0, 1, 0], childScores: [1, 1, 0] };
    const origin: Candidate['origin'] =
      c === 0
        ? { kind: 'seed' }
        : parents.length === 2
          ? {
              kind: 'merge',
              iteration,
              parents: [parents[0] as number, parents[1] as number],
              ancestor: 0,
              ids: [1, 2, 3],
              parentScores: [
                [0, 1, 0],
                [1, 0, 0],
              ],
              childScores: [1, 1, 0],
            }
          : {
              kind: 'reflection',
              iteration,
              parent: parents[0] as number,
              components: ['instruction'],
              proposer: 'reflection',
              reflections: [
                {
                  component: 'instruction',
                  prompt: `I gave an assistant this instruction:\n${instruction(parents[0] as number)}\n${'Example with feedback: expected 42, got 41. '.repeat(30)}`,
                  reply: `\`\`\`\n${texts.instruction}\n\`\`\``,
                  cost: 0.001,
                },
              ],
              minibatch,
            };
    calls += c === 0 ? 0 : valSize + 6;
    candidates.push({
      idx: c,
      texts,
      parents,
      origin,
      iteration,
      valAggregate,
      valScores,
      valObjectiveScores: null,
      discoveryMetricCalls: c === 0 ? 0 : calls - valSize,
    });
    if (c > 0) {
      const base = {
        parents,
        proposal: null,
        merge: null,
        minibatch,
        frontier: null,
        durationMs: 1000,
        startedAt: null,
        errors: [],
      };
      // one rejected proposal before each acceptance
      iterations.push({
        ...base,
        iteration: iterations.length + 1,
        kind: 'reflection',
        accepted: false,
        candidateIdx: null,
        reason: 'acceptance criterion not met on the minibatch',
        valScore: null,
        metricCalls: 6,
        totalMetricCalls: calls - valSize - 6,
        lm: { task: usage(6, 3000), reflection: usage(1, 2500) },
      });
      iterations.push({
        ...base,
        iteration: iterations.length + 1,
        kind: parents.length === 2 ? 'merge' : 'reflection',
        accepted: true,
        candidateIdx: c,
        reason: null,
        valScore: valAggregate,
        metricCalls: valSize + 6,
        totalMetricCalls: calls,
        lm: { task: usage(valSize + 6, (valSize + 6) * 500), reflection: usage(1, 2500) },
      });
    }
  }
  const bestIdx = candidates.reduce((b, c) => (c.valAggregate > (candidates[b]?.valAggregate ?? -1) ? c.idx : b), 0);
  const sum = (k: 'task' | 'reflection') =>
    iterations.reduce(
      (u, it) => ({
        calls: u.calls + (it.lm?.[k].calls ?? 0),
        inputTokens: u.inputTokens + (it.lm?.[k].inputTokens ?? 0),
        outputTokens: u.outputTokens + (it.lm?.[k].outputTokens ?? 0),
        cost: u.cost + (it.lm?.[k].cost ?? 0),
      }),
      usage(0, 0),
    );
  return {
    dir: '/runs/synthetic',
    schemaVersion: 1,
    config: null,
    valIds,
    candidates,
    iterations,
    bestIdx,
    bestScore: candidates[bestIdx]?.valAggregate ?? 0,
    totalMetricCalls: calls,
    maxMetricCalls: calls + 100,
    finished: true,
    stopReason: 'maxMetricCalls',
    frontier: [],
    frontierHistory: [],
    errors: [],
    sessions: [],
    usage: { task: sum('task'), reflection: sum('reflection') },
    events: [],
    state: undefined as unknown as RunDirView['state'],
  };
}

export async function benchReport(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  const lines: string[] = [];
  try {
    const small = renderReportHtml(reportData(syntheticView(50, 100)));
    lines.push(`50 candidates × 100 examples: ${(small.length / 1024).toFixed(0)} KB (target < 2 MB)`);
    const view = syntheticView(1000, 5000);
    const t0 = performance.now();
    const html = renderReportHtml(reportData(view));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const buildMs = performance.now() - t0;
    // An empty page, loaded interleaved with the report, shows what the machine itself costs right now.
    const empty = join(dir, 'empty.html');
    writeFileSync(
      empty,
      '<!doctype html><body><script>document.body.dataset.renderedMs = Math.round(performance.now())</script>',
    );
    const browser = await launchChromium();
    const renders: number[] = [];
    const baseline: number[] = [];
    const load = async (path: string) => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`file://${path}`);
      await page.waitForSelector('body[data-rendered-ms]', { state: 'attached' });
      const ms = Number(await page.getAttribute('body', 'data-rendered-ms'));
      if (path === file && (await page.locator('[data-candidate]').count()) !== 1000) {
        throw new Error('the lineage did not draw every candidate');
      }
      await page.close();
      return ms;
    };
    try {
      for (let i = 0; i < 3; i++) {
        baseline.push(await load(empty));
        renders.push(await load(file));
      }
    } finally {
      await browser.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] ?? 0;
    lines.push(
      `1,000 candidates × 5,000 examples: report built and written in ${(buildMs / 1000).toFixed(2)} s (target < 5 s), ${(statSync(file).size / 1e6).toFixed(1)} MB`,
      `rendered in Chromium (navigation start to end of drawing): median ${median(renders)} ms of ${renders.join(', ')} ms (target < 2,000 ms); an empty page on this machine now: median ${median(baseline)} ms of ${baseline.join(', ')} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
