/** Candidate counts behind the `auto` presets. */
export const AUTO_CANDIDATES = { light: 6, medium: 12, heavy: 18 } as const;
export type AutoPreset = keyof typeof AUTO_CANDIDATES;

/**
 * Metric calls for an `auto` preset (the same accounting DSPy uses), with P predictors, C = AUTO_CANDIDATES[preset],
 * V validation examples, minibatch M = 35 and a full evaluation every m = 5 trials:
 *
 *   trials N = max(4·P·log2(C), 1.5·C)
 *   budget   = V                          (seed on the valset)
 *            + 5·C                        (a few trials per candidate)
 *            + N·M                        (minibatch evaluations)
 *            + (⌊(N+1)/m⌋ + 1 + [N < m])·V (periodic full evaluations)
 */
export function autoBudget(
  preset: AutoPreset,
  numPredictors: number,
  valsetSize: number,
  minibatchSize = 35,
  fullEvalEvery = 5,
): number {
  const candidates = AUTO_CANDIDATES[preset];
  const trials = Math.floor(Math.max(2 * (numPredictors * 2) * Math.log2(candidates), 1.5 * candidates));
  let total = valsetSize + candidates * 5 + trials * minibatchSize;
  if (trials === 0) return total;
  const periodic = Math.floor((trials + 1) / fullEvalEvery) + 1;
  const finalEval = trials < fullEvalEvery ? 1 : 0;
  total += (periodic + finalEval) * valsetSize;
  return total;
}
