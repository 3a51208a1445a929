import type { Callback, LMEndEvent } from '../../src/settings/callbacks.js';
import type { LMUsage } from './events.js';

/** The predictor name the reflection LM's calls carry (see proposers/reflection-lm.ts). */
export const REFLECTION_CALLER = 'gepa.reflection';

export function emptyUsage(): LMUsage {
  return { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 };
}

/**
 * Counts the LM calls made while a run is in scope (installed as a settings callback), split into the task LM
 * (everything the adapter runs) and the reflection LM. `take()` returns what was counted since the last take.
 */
export class UsageMeter implements Callback {
  private task = emptyUsage();
  private reflection = emptyUsage();

  onLMEnd(event: LMEndEvent): void {
    const into = event.predictorName === REFLECTION_CALLER ? this.reflection : this.task;
    into.calls += 1;
    const response = event.response;
    if (!response || response.cached) return;
    into.inputTokens += response.usage?.inputTokens ?? 0;
    into.outputTokens += response.usage?.outputTokens ?? 0;
    into.cost += response.cost ?? 0;
  }

  take(): { task: LMUsage; reflection: LMUsage } {
    const taken = { task: this.task, reflection: this.reflection };
    this.task = emptyUsage();
    this.reflection = emptyUsage();
    return taken;
  }
}
