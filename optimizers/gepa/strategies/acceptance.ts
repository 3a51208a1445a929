/** Decides whether a child, scored on the same minibatch as its parent, joins the pool. */
export type AcceptanceFunction = (parentScores: readonly number[], childScores: readonly number[]) => boolean;

export type AcceptanceCriterion = 'strict_improvement' | 'improvement_or_equal' | AcceptanceFunction;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export const strictImprovement: AcceptanceFunction = (parent, child) => sum(child) > sum(parent);
export const improvementOrEqual: AcceptanceFunction = (parent, child) => sum(child) >= sum(parent);

export function resolveAcceptance(criterion: AcceptanceCriterion): AcceptanceFunction {
  if (typeof criterion === 'function') return criterion;
  return criterion === 'improvement_or_equal' ? improvementOrEqual : strictImprovement;
}
