import type { OptimizeOptions } from 'tsdspy';
import { type FactInst, type FactTrace, factData, factOptions } from './fact-task.js';

/** A run with two components, merges and caching on: most of the engine's state is exercised. */
export function resumeOptions(runDir?: string): OptimizeOptions<FactInst, FactTrace, string> {
  return factOptions({
    seedCandidate: { a: 'Facts:', b: 'Facts:' },
    trainset: factData(12, ['a', 'b']),
    valset: factData(10, ['a', 'b']),
    maxMetricCalls: 150,
    useMerge: true,
    mergeValOverlapFloor: 4,
    cacheEvaluation: true,
    seed: 11,
    ...(runDir ? { runDir } : {}),
  }).options;
}
