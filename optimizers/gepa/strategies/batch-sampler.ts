import { GEPAConfigError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { SamplerState } from '../state.js';
import type { DataId } from '../types.js';

/** Supplies reflection minibatches. State must be plain JSON so a resumed run continues the same sequence. */
export interface BatchSampler {
  readonly name: string;
  next(trainIds: readonly DataId[], size: number, state: SamplerState | null, rng: Rng): { ids: DataId[]; state: SamplerState };
}

/**
 * Shuffles the training ids once per epoch and walks through them in minibatches; the last minibatch of an
 * epoch is topped up from the start of the same order, so every minibatch has the requested size.
 */
export const epochShuffledSampler: BatchSampler = {
  name: 'epoch_shuffled',
  next(trainIds, size, state, rng) {
    const batch = Math.min(size, trainIds.length);
    let current = state;
    if (!current || current.cursor >= current.order.length) {
      const shuffled = rng.shuffle(trainIds);
      const remainder = shuffled.length % batch;
      const padded = remainder === 0 ? shuffled : [...shuffled, ...shuffled.slice(0, batch - remainder)];
      current = { epoch: (current?.epoch ?? -1) + 1, order: padded, cursor: 0 };
    }
    const ids = current.order.slice(current.cursor, current.cursor + batch);
    return { ids, state: { ...current, cursor: current.cursor + batch } };
  },
};

export type BatchSamplerOption = 'epoch_shuffled' | BatchSampler;

export function resolveBatchSampler(option: BatchSamplerOption): BatchSampler {
  if (typeof option !== 'string') return option;
  if (option === 'epoch_shuffled') return epochShuffledSampler;
  throw new GEPAConfigError(`Unknown batchSampler "${String(option)}": use 'epoch_shuffled' or a BatchSampler`);
}
