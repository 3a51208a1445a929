/**
 * optimizeAnything on code: evolve a bin-packing heuristic (JavaScript) that runs in the sandbox. The evaluator
 * checks every packing, scores it against a lower bound, and reports errors, bins used and timing through oa.log —
 * the side information the reflection LM reads. With OPENAI_API_KEY the reflection LM is real; offline a clearly
 * labelled simulated reflection LM proposes the next version from what the logs say.
 */
import { LM, oa, optimizeAnything, runSandboxed } from 'tsdspy';
import { SEED_PACKER, simulatedCodeReflection } from './simulated.js';

const CAPACITY = 100;

/** Deterministic instances: item sizes from a small LCG. */
function instance(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return 10 + (s % 61);
  });
}
const dataset = [1, 2, 3, 4, 5, 6].map((seed) => ({ name: `instance-${seed}`, items: instance(seed, 40 + seed * 5) }));
const testSet = [7, 8, 9].map((seed) => ({ name: `test-${seed}`, items: instance(seed, 60) }));

async function evaluator(candidate: unknown, example?: { name: string; items: number[] }) {
  const code = `${candidate as string}\nreturn pack(input.items, input.capacity);`;
  const run = await runSandboxed(code, { input: { items: example?.items, capacity: CAPACITY }, timeoutMs: 2000, memoryMb: 64 });
  if (!run.ok) {
    oa.log(`Error (${run.kind}): ${run.error.message}`);
    return { score: 0, info: { error: run.error.message } };
  }
  const bins = run.value as number[][];
  const items = example?.items ?? [];
  const placed = Array.isArray(bins) ? bins.flat() : [];
  const overflow = Array.isArray(bins) ? bins.findIndex((b) => b.reduce((a, x) => a + x, 0) > CAPACITY) : -1;
  if (!Array.isArray(bins) || placed.length !== items.length || [...placed].sort().join() !== [...items].sort().join()) {
    oa.log(`Invalid packing: ${placed.length} of ${items.length} items placed, or items changed.`);
    return { score: 0, info: { error: 'invalid packing' } };
  }
  if (overflow !== -1) {
    oa.log(`Invalid packing: bin ${overflow} holds ${bins[overflow]?.reduce((a, x) => a + x, 0)} > capacity ${CAPACITY}.`);
    return { score: 0, info: { error: 'bin over capacity' } };
  }
  const lowerBound = Math.ceil(items.reduce((a, x) => a + x, 0) / CAPACITY);
  oa.log(`Bins used: ${bins.length}; lower bound: ${lowerBound}; time: ${run.durationMs.toFixed(0)} ms`);
  return { score: lowerBound / bins.length, info: { binsUsed: bins.length, lowerBound } };
}

const real = Boolean(process.env.OPENAI_API_KEY);
console.log(
  real
    ? 'Running with a real reflection LM (openai/gpt-4.1).\n'
    : 'SIMULATED RUN: no OPENAI_API_KEY, so the reflection LM is a deterministic stand-in that picks the next known heuristic from the logs (examples/optimize-anything/simulated.ts). The packings are evaluated for real in the sandbox.\n',
);

const result = await optimizeAnything({
  seedCandidate: SEED_PACKER,
  evaluator,
  dataset,
  testSet,
  objective:
    'A JavaScript function pack(items, capacity) that returns bins (arrays of item sizes) using as few bins as possible.',
  background: 'Every item must be placed exactly once; no bin may exceed the capacity. The code runs in a sandbox without I/O.',
  reflectionLM: real ? new LM('openai/gpt-4.1', { temperature: 1 }) : simulatedCodeReflection,
  maxMetricCalls: 60,
  concurrency: 2,
  displayProgress: !process.env.CI,
});

console.log(`Valset score by candidate: ${result.gepa.valAggregateScores.map((s) => s.toFixed(3)).join(', ')}`);
console.log(
  `Test score: seed ${result.metadata.seedTestScore?.toFixed(3)} → best ${result.metadata.testScore?.toFixed(3)} (outside the budget)`,
);
console.log(`Metric calls: ${result.metadata.totalMetricCalls}`);
console.log(`\nBest heuristic:\n${result.bestCandidate as string}`);
