/** Runs every benchmark and prints one line per result. `npm run bench [name]` runs one. */
import { benchAdapter } from './adapter.js';
import { benchDistributed } from './distributed.js';
import { benchEngineOverhead, benchFrontier } from './gepa-engine.js';
import { benchLM } from './lm.js';
import { benchReport } from './report.js';
import { benchRetrieval } from './retrieval.js';
import { benchRunDir } from './run-dir.js';
import { benchSandbox } from './sandbox.js';

const benches: Record<string, () => Promise<string> | string> = {
  adapter: () => {
    const { opsPerSecond, iterations } = benchAdapter();
    return `ChatAdapter format+parse (3 in / 2 out, 3 demos): ${opsPerSecond.toLocaleString('en-US')} ops/s over ${iterations} iterations (target ≥ 50,000/s)`;
  },
  lm: async () => {
    const r = await benchLM();
    return [
      `1,000 calls, 100 ms latency, concurrency 64: ${Math.round(r.wallMs)} ms vs ideal ${Math.round(r.idealMs)} ms = ${r.ratio.toFixed(3)}× (target ≤ 1.15×)`,
      `cache-hit path: ${Math.round(r.hitsPerSecond).toLocaleString('en-US')} calls/s (target ≥ 100,000/s)`,
    ].join('\n  ');
  },
  distributed: async () => {
    const r = await benchDistributed();
    const line = (name: string, times: Record<number, number>) =>
      `${name}: ${[1, 2, 4].map((n) => `${n} worker${n > 1 ? 's' : ''} ${Math.round(times[n] as number)} ms`).join(', ')}; speed-up ×${((times[1] as number) / (times[2] as number)).toFixed(2)} (2) ×${((times[1] as number) / (times[4] as number)).toFixed(2)} (4)`;
    return [
      line('I/O-bound, 48 jobs × 100 ms, 4 jobs per worker', r.io) +
        ` (ideal ${[1, 2, 4].map((n) => r.ioIdealMs[n]).join(' / ')} ms; target ×≥1.8 with 2)`,
      line(`CPU-bound, 24 jobs × 50 ms busy, ${r.cores} cores`, r.cpu),
      `per-job overhead on local Redis: ${r.overheadMs.toFixed(2)} ms one at a time (target < 2 ms), ${r.pipelinedMsPerJob.toFixed(2)} ms/job pipelined through one worker; in-process call ${(r.inProcessMs * 1000).toFixed(1)} µs`,
    ].join('\n  ');
  },
  sandbox: async () => {
    const r = await benchSandbox();
    return `trivial program, pool warm: sandboxed ${r.sandboxMicros.toFixed(0)} µs/call vs in-process ${r.inProcessMicros.toFixed(2)} µs/call (overhead ${(r.sandboxMicros - r.inProcessMicros).toFixed(0)} µs; ${r.spawns} process started)`;
  },
  'run-dir': async () => (await benchRunDir()).join('\n  '),
  report: async () => (await benchReport()).join('\n  '),
  retrieval: async () => {
    const rows = await benchRetrieval();
    return rows
      .map(
        (r) =>
          `${r.n.toLocaleString('en-US')} × 384, top-10: one at a time ${r.latencyMs.toFixed(2)} ms/query (${Math.round(r.sequentialQps)} q/s); 256 in flight ${Math.round(r.batchedQps).toLocaleString('en-US')} q/s (target ≥ 1,000 q/s at 10k); index ${Math.round(r.indexMs)} ms`,
      )
      .join('\n  ');
  },
  'gepa-engine': async () => {
    const overhead = await benchEngineOverhead();
    const frontier = benchFrontier();
    return [
      `engine overhead with a zero-cost adapter: ${overhead.microsPerCall.toFixed(2)} µs per metric call (${overhead.calls} calls, ${overhead.candidates} candidates)`,
      `frontier update + Pareto selection, 1,000 candidates × 5,000 val examples: ${frontier.msPerIteration.toFixed(2)} ms per iteration (target < 50 ms)`,
    ].join('\n  ');
  },
};

const only = process.argv[2];
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  console.log(`[${name}] ${await run()}`);
}
