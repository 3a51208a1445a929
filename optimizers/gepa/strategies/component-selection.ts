import { GEPAConfigError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Candidate } from '../types.js';

export interface ComponentSelectionContext {
  candidateIdx: number;
  components: readonly string[];
  /** Round-robin position per candidate; selectors may read and advance it (it is saved with the run). */
  cursor: number[];
  rng: Rng;
  /** The iteration being run (1-based). */
  iteration?: number;
  /** The parent candidate's texts by component name (DSPy's `candidate`). */
  candidate?: Candidate;
  /** The parent's scores on this iteration's minibatch (DSPy's `subsample_scores`). */
  scores?: readonly number[];
  /** The parent's traced run on the minibatch, as the adapter returned it (DSPy's `trajectories`). */
  trajectories?: readonly unknown[];
}

/** Chooses which components of the parent the reflection step rewrites. */
export interface ComponentSelector {
  readonly name: string;
  select(ctx: ComponentSelectionContext): string[];
}

/** A selector as a plain function (DSPy's form): gets the context, returns the component names to update. */
export type ComponentSelectorFn = (ctx: Required<ComponentSelectionContext>) => string[];

export type ModuleSelectorOption = 'round_robin' | 'all' | ComponentSelector | ComponentSelectorFn;

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

/** Resolves the option; anything else than the names, an object with `select`, or a function is refused at once. */
export function resolveComponentSelector(option: ModuleSelectorOption): ComponentSelector {
  if (option === 'all') return allComponentsSelector;
  if (option === 'round_robin') return roundRobinSelector;
  if (typeof option === 'function') {
    return checked({ name: option.name || 'custom', select: (ctx) => option(ctx as Required<ComponentSelectionContext>) });
  }
  if (typeof option === 'object' && option !== null && typeof option.select === 'function') return checked(option);
  throw new GEPAConfigError(
    `componentSelector must be 'round_robin', 'all', a function (ctx) => componentNames, or { name, select(ctx) }; got ${JSON.stringify(option)}`,
  );
}

/** A custom selector's answer must be a non-empty list of the candidate's component names. */
function checked(selector: ComponentSelector): ComponentSelector {
  return {
    name: selector.name,
    select(ctx) {
      const picked = selector.select(ctx);
      const bad = Array.isArray(picked) ? picked.filter((c) => !ctx.components.includes(c)) : [];
      if (!Array.isArray(picked) || picked.length === 0 || bad.length) {
        throw new GEPAConfigError(
          `componentSelector "${selector.name}" returned ${JSON.stringify(picked)}; return a non-empty list of component names from: ${ctx.components.join(', ')}`,
        );
      }
      return [...new Set(picked)];
    },
  };
}
