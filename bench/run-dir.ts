/**
 * Run-directory persistence cost (issue 19). A zero-cost adapter whose every child is accepted and a valset of
 * 1,000 make the engine's own cost visible: wall time with and without `runDir` at ~50, ~200 and ~400 candidates
 * (measured interleaved), bytes written per iteration (the process's write() bytes, /proc/self/io `wchar`), and
 * the time to resume a run dir captured one iteration before the end of the 400-candidate run (what a SIGKILL
 * leaves behind).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Candidate, type EvaluationBatch, optimize, stopWhen } from 'tsdspy';

const VAL_SIZE = 1000;

/** Scores rise with the candidate's generation, so every child beats its parent on every example. */
function generationOf(candidate: Candidate): number {
  return Number(candidate.p?.slice(4) ?? 0);
}

const adapter = {
  evaluate: (batch: readonly number[], candidate: Candidate, traces: boolean): EvaluationBatch<number, number> => {
    const g = generationOf(candidate);
    const scores = batch.map((x) => g * 1e-3 + ((x * 7919 + g * 104729) % 1000) * 1e-7);
    return { outputs: [...batch], scores, ...(traces ? { trajectories: [...batch] } : {}) };
  },
  makeReflectiveDataset: () => ({ p: [] }),
  proposeNewTexts: (candidate: Candidate) => ({ p: `gen ${generationOf(candidate) + 1}` }),
};

function options(candidates: number, runDir?: string) {
  return {
    seedCandidate: { p: 'gen 0' },
    trainset: Array.from({ length: 50 }, (_, i) => i),
    valset: Array.from({ length: VAL_SIZE }, (_, i) => i),
    adapter,
    stopWhen: stopWhen.maxIterations(candidates - 1),
    displayProgress: false,
    ...(runDir ? { runDir } : {}),
  };
}

function writtenBytes(): number {
  const io = readFileSync('/proc/self/io', 'utf8');
  return Number(/wchar: (\d+)/.exec(io)?.[1] ?? Number.NaN);
}

interface SizeResult {
  candidates: number;
  withoutMs: number;
  withMs: number;
  bytesPerIteration: number;
}

async function measure(candidates: number, keepDir?: (dir: string) => void): Promise<SizeResult> {
  const t0 = performance.now();
  const plain = await optimize(options(candidates));
  const withoutMs = performance.now() - t0;
  const runDir = mkdtempSync(join(tmpdir(), 'bench-run-dir-'));
  const bytes0 = writtenBytes();
  const t1 = performance.now();
  const persisted = await optimize({
    ...options(candidates, runDir),
    callbacks: keepDir ? [{ iterationEnd: (e) => e.iteration === candidates - 2 && keepDir(runDir) }] : [],
  });
  const withMs = performance.now() - t1;
  const bytes = writtenBytes() - bytes0;
  if (persisted.candidates.length !== plain.candidates.length) throw new Error('runs with and without runDir differ');
  rmSync(runDir, { recursive: true, force: true });
  return { candidates: plain.candidates.length, withoutMs, withMs, bytesPerIteration: bytes / persisted.iterations };
}

export async function benchRunDir(): Promise<string[]> {
  const lines: string[] = [];
  let captured: string | undefined;
  for (const n of [50, 200, 400]) {
    const capture =
      n === 400
        ? (dir: string) => {
            captured = mkdtempSync(join(tmpdir(), 'bench-run-dir-resume-'));
            cpSync(dir, captured, { recursive: true });
          }
        : undefined;
    const r = await measure(n, capture);
    lines.push(
      `${r.candidates} candidates: without runDir ${(r.withoutMs / 1000).toFixed(2)} s, with ${(r.withMs / 1000).toFixed(2)} s = ${(r.withMs / r.withoutMs).toFixed(2)}× (goal ≤ 1.5× at ~400); ${Math.round(r.bytesPerIteration).toLocaleString('en-US')} bytes written per iteration`,
    );
  }
  if (captured && existsSync(captured)) {
    let loadedAt = 0;
    const t0 = performance.now();
    await optimize({ ...options(400, captured), callbacks: [{ runStart: () => (loadedAt = performance.now()) }] });
    const total = performance.now() - t0;
    lines.push(
      `resume at ~400 candidates (run dir copied one iteration before the end): state loaded in ${(loadedAt - t0).toFixed(0)} ms, finished in ${total.toFixed(0)} ms (goal < 1 s)`,
    );
    rmSync(captured, { recursive: true, force: true });
  }
  return lines;
}
