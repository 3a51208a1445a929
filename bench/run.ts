/** Runs every benchmark and prints one line per result. `npm run bench [name]` runs one. */
import { benchAdapter } from './adapter.js';

const benches: Record<string, () => Promise<string> | string> = {
  adapter: () => {
    const { opsPerSecond, iterations } = benchAdapter();
    return `ChatAdapter format+parse (3 in / 2 out, 3 demos): ${opsPerSecond.toLocaleString('en-US')} ops/s over ${iterations} iterations (target ≥ 50,000/s)`;
  },
};

const only = process.argv[2];
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  console.log(`[${name}] ${await run()}`);
}
