import type { Callback } from '../settings/callbacks.js';
import { currentSettings, withSettings } from '../settings/settings.js';

/** LM spend of one role within a run. */
export interface UsageTotals {
  /** LM calls made (cache hits included). */
  lmCalls: number;
  /** Calls served from a cache (no tokens spent). */
  cachedCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** USD; null when some call's price was unknown. */
  cost: number | null;
}

/**
 * A run's LM usage split by role: `task` is the program being evaluated, `proposer` the optimizer's own LM
 * work (GEPA reflection, MIPROv2/COPRO proposals).
 */
export interface RunUsage {
  task: UsageTotals;
  proposer: UsageTotals;
}

/** Whose LM call this is, for usage accounting (set with `withSettings({ usageRole: 'proposer' }, …)`). */
export type UsageRole = keyof RunUsage;

export function emptyUsage(): RunUsage {
  const zero = (): UsageTotals => ({ lmCalls: 0, cachedCalls: 0, inputTokens: 0, outputTokens: 0, cost: 0 });
  return { task: zero(), proposer: zero() };
}

/** Adds `b` into `a` (in place) and returns `a`. */
export function addRunUsage(a: RunUsage, b: RunUsage | undefined): RunUsage {
  if (!b) return a;
  for (const role of ['task', 'proposer'] as const) {
    const x = a[role];
    const y = b[role];
    x.lmCalls += y.lmCalls;
    x.cachedCalls += y.cachedCalls;
    x.inputTokens += y.inputTokens;
    x.outputTokens += y.outputTokens;
    x.cost = x.cost === null || y.cost === null ? null : x.cost + y.cost;
  }
  return a;
}

/** Runs `fn` while counting every LM call made inside it (by role) into `usage`. */
export function meterUsage<T>(usage: RunUsage, fn: () => T): T {
  const counter: Callback = {
    onLMEnd: (event) => {
      const totals = usage[currentSettings().usageRole ?? 'task'];
      totals.lmCalls++;
      const response = event.response;
      if (!response) return;
      if (response.cached) {
        totals.cachedCalls++;
        return;
      }
      if (response.usage) {
        totals.inputTokens += response.usage.inputTokens;
        totals.outputTokens += response.usage.outputTokens;
      }
      if (totals.cost !== null) totals.cost = response.cost === undefined ? null : totals.cost + response.cost;
    },
  };
  return withSettings({ callbacks: [...(currentSettings().callbacks ?? []), counter] }, fn);
}

/** Runs `fn` with its LM calls counted as the optimizer's own (proposer) work. */
export function asProposer<T>(fn: () => T): T {
  return withSettings({ usageRole: 'proposer' }, fn);
}
