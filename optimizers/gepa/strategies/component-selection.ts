import { GEPAConfigError } from '../errors.js';
import type { Rng } from '../rng.js';

export interface ComponentSelectionContext {
  candidateIdx: number;
  components: readonly string[];
  /** Round-robin position per candidate; selectors may read and advance it (it is saved with the run). */
  cursor: number[];
  rng: Rng;
}

/** Chooses which components of the parent the reflection step rewrites. */
export interface ComponentSelector {
  readonly name: string;
  select(ctx: ComponentSelectionContext): string[];
}

export type ModuleSelectorOption = 'round_robin' | 'all' | ComponentSelector;

/** One component per iteration, cycling through them separately for each candidate. */
export const roundRobinSelector: ComponentSelector = {
  name: 'round_robin',
  select({ candidateIdx, components, cursor }) {
    const position = cursor[candidateIdx] ?? 0;
    cursor[candidateIdx] = (position + 1) % components.length;
    return [components[position % components.length] as string];
  },
};

export const allComponentsSelector: ComponentSelector = {
  name: 'all',
  select: ({ components }) => [...components],
};

export function resolveComponentSelector(option: ModuleSelectorOption): ComponentSelector {
  if (typeof option !== 'string') return option;
  if (option === 'all') return allComponentsSelector;
  if (option === 'round_robin') return roundRobinSelector;
  throw new GEPAConfigError(`Unknown moduleSelector "${String(option)}": use 'round_robin', 'all' or a ComponentSelector`);
}
