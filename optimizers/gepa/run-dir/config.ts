import type { EngineConfig } from '../engine.js';
import type { RunConfig } from '../events.js';

/** The run's settings as recorded in the run dir: names and numbers only, never LM objects or keys. */
export function describeRun<D, T, O>(config: EngineConfig<D, T, O>): RunConfig {
  const adapterName = config.adapter.constructor?.name;
  return {
    seedCandidate: { ...config.seedCandidate },
    trainIds: [...config.train.ids],
    valIds: [...config.val.ids],
    maxMetricCalls: config.metricCallLimit ?? null,
    stopConditions: config.stopConditions.map((c) => c.name),
    minibatchSize: config.minibatchSize,
    frontierType: config.frontierType,
    candidateSelection: config.selector.name,
    componentSelection: config.componentSelector.name,
    batchSampler: config.sampler.name,
    skipPerfectScore: config.skipPerfectScore,
    perfectScore: config.perfectScore,
    useMerge: config.useMerge,
    maxMergeInvocations: config.maxMergeInvocations,
    mergeValOverlapFloor: config.mergeValOverlapFloor,
    cacheEvaluation: config.cacheEvaluation,
    trackBestOutputs: config.trackBestOutputs,
    raiseOnException: config.raiseOnException === true,
    proposer: config.customProposer ? 'custom' : config.adapter.proposeNewTexts ? 'adapter' : 'reflection',
    adapter: adapterName && adapterName !== 'Object' ? adapterName : 'adapter',
    seed: config.seed,
  };
}
