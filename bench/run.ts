/** Runs every benchmark and prints one line per result. `npm run bench [name]` runs one. */
import { benchAdapter } from './adapter.js';
import { benchEngineOverhead, benchFrontier } from './gepa-engine.js';

const benches: Record<string, () => Promise<string> | string> = {
  adapter: () => {
    const { opsPerSecond, iterations } = benchAdapter();
    return `ChatAdapter format+parse (3 in / 2 out, 3 demos): ${opsPerSecond.toLocaleString('en-US')} ops/s over ${iterations} iterations (target ≥ 50,000/s)`;
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
