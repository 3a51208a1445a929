/**
 * GEPA engine benchmarks:
 *  1. engine overhead per metric call with a zero-cost adapter (µs per call);
 *  2. frontier update + Pareto selection with 1,000 candidates × 5,000 validation examples (target < 50 ms per iteration).
 */
import { type Candidate, type EvaluationBatch, Frontier, optimize, paretoSelector, Rng } from 'tsdspy';

export async function benchEngineOverhead(
  maxMetricCalls = 20_000,
): Promise<{ microsPerCall: number; calls: number; candidates: number }> {
  const train = Array.from({ length: 50 }, (_, i) => i);
  const val = Array.from({ length: 20 }, (_, i) => i);
  let version = 0;
  const adapter = {
    // Zero-cost: the score is a cheap function of the candidate's length, so some children are accepted.
    evaluate: (batch: readonly number[], candidate: Candidate, traces: boolean): EvaluationBatch<number, number> => {
      const n = candidate.p?.length ?? 0;
      const scores = batch.map((x) => ((x * 31 + n) % 7) / 7);
      return { outputs: [...batch], scores, ...(traces ? { trajectories: [...batch] } : {}) };
    },
    makeReflectiveDataset: (_c: Candidate, b: EvaluationBatch<number, number>) => ({
      p: (b.trajectories ?? []).map((t) => ({ t })),
    }),
  };
  const started = performance.now();
  const result = await optimize({
    seedCandidate: { p: 'x' },
    trainset: train,
    valset: val,
    adapter,
    reflectionLM: () => `\`\`\`\n${'y'.repeat(++version % 13)}\n\`\`\``,
    maxMetricCalls,
    displayProgress: false,
    acceptanceCriterion: 'improvement_or_equal',
  });
  const elapsed = performance.now() - started;
  return {
    microsPerCall: (elapsed * 1000) / result.totalMetricCalls,
    calls: result.totalMetricCalls,
    candidates: result.candidates.length,
  };
}

export function benchFrontier(candidates = 1000, examples = 5000, iterations = 20): { msPerIteration: number } {
  const rng = new Rng(42);
  const frontier = new Frontier('instance');
  const aggregates: number[] = [];
  const randomScores = (bias: number): number[] => Array.from({ length: examples }, () => (rng.next() < bias ? 1 : 0));
  for (let c = 0; c < candidates; c++) {
    const scores = randomScores(0.3 + 0.4 * (c / candidates));
    aggregates.push(scores.reduce((a, b) => a + b, 0) / examples);
    frontier.add(c, { instance: scores, objectives: null });
  }
  const extra = Array.from({ length: iterations }, () => randomScores(0.7));
  const started = performance.now();
  for (const [i, scores] of extra.entries()) {
    const id = candidates + i;
    aggregates.push(scores.reduce((a, b) => a + b, 0) / examples);
    frontier.add(id, { instance: scores, objectives: null });
    paretoSelector.select({ frontier, aggregates, rng });
  }
  return { msPerIteration: (performance.now() - started) / iterations };
}
