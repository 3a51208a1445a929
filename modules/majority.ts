import type { Prediction } from '../src/data/prediction.js';

/** Lower-cased, whitespace-collapsed text (numbers and other values compared as JSON). */
export function normalizeForVote(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase().replace(/\s+/g, ' ').trim() : JSON.stringify(value);
}

/**
 * The most common value of `field` among completions (a prediction's `completions`, or a list of output
 * records). Ties go to the earliest. Returns the first completion holding the winning value.
 */
export function majority<O extends Record<string, unknown>>(
  completions: Prediction<O> | readonly O[],
  field?: keyof O & string,
  normalize: (value: unknown) => string = normalizeForVote,
): O {
  const list = (Array.isArray(completions) ? completions : (completions as Prediction<O>).completions) as readonly O[];
  if (list.length === 0) throw new Error('majority() needs at least one completion');
  const key = field ?? (Object.keys(list[0] as O).at(-1) as keyof O & string);
  const counts = new Map<string, { count: number; first: O }>();
  for (const completion of list) {
    const vote = normalize(completion[key]);
    const entry = counts.get(vote);
    if (entry) entry.count++;
    else counts.set(vote, { count: 1, first: completion });
  }
  let best: { count: number; first: O } | undefined;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return (best as { first: O }).first;
}
