/** Which "tasks" a candidate can be best at; see docs/gepa-engine.md. */
export type FrontierType = 'instance' | 'objective' | 'hybrid' | 'cartesian';

/** The scores a candidate contributes to the frontier. */
export interface CandidateScores {
  /** Score per validation instance, aligned with the valset ids. */
  instance: readonly number[];
  /** Per validation instance, score per objective (needed by objective, hybrid and cartesian frontiers). */
  objectives: ReadonlyArray<Record<string, number>> | null;
}

interface FrontKey {
  best: number;
  members: number[];
}

/**
 * The Pareto frontier: for each key (a validation instance, an objective, or both), the best score seen
 * and the candidates that reach it. Updated incrementally as candidates are added.
 */
export class Frontier {
  private readonly keys = new Map<string, FrontKey>();

  constructor(readonly type: FrontierType) {}

  /** Adds a candidate; returns true when it reached the best score on at least one key. */
  add(candidate: number, scores: CandidateScores): boolean {
    let onFront = false;
    for (const [key, score] of this.keyScores(scores)) {
      const entry = this.keys.get(key);
      if (!entry || score > entry.best) {
        this.keys.set(key, { best: score, members: [candidate] });
        onFront = true;
      } else if (score === entry.best) {
        entry.members.push(candidate);
        onFront = true;
      }
    }
    return onFront;
  }

  /** Candidate ids best on each key, in key insertion order. */
  fronts(): number[][] {
    return [...this.keys.values()].map((k) => k.members);
  }

  /** Every candidate on at least one front. */
  members(): Set<number> {
    const all = new Set<number>();
    for (const key of this.keys.values()) for (const m of key.members) all.add(m);
    return all;
  }

  private *keyScores(scores: CandidateScores): Generator<[string, number]> {
    const { instance, objectives } = scores;
    if (this.type === 'instance' || this.type === 'hybrid') {
      for (let v = 0; v < instance.length; v++) yield [`i${v}`, instance[v] as number];
    }
    if (this.type === 'objective' || this.type === 'hybrid') {
      for (const [name, value] of Object.entries(meanObjectives(requireObjectives(objectives, this.type))))
        yield [`o:${name}`, value];
    }
    if (this.type === 'cartesian') {
      const per = requireObjectives(objectives, this.type);
      for (let v = 0; v < per.length; v++) {
        for (const [name, value] of Object.entries(per[v] as Record<string, number>)) yield [`c${v}:${name}`, value];
      }
    }
  }
}

function requireObjectives(objectives: CandidateScores['objectives'], type: FrontierType) {
  if (!objectives) throw new Error(`frontierType '${type}' needs objectiveScores from the adapter's evaluate()`);
  return objectives;
}

export function meanObjectives(perInstance: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const scores of perInstance) for (const [name, value] of Object.entries(scores)) sums[name] = (sums[name] ?? 0) + value;
  const n = perInstance.length || 1;
  return Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / n]));
}

/**
 * Removes dominated candidates from the fronts: a candidate is dominated when every front it is on also
 * holds another surviving candidate. Candidates are visited from the lowest aggregate score up (ties: lower
 * id first), so the strongest survive. One pass suffices because removals only make others harder to remove.
 * Returns each survivor's number of fronts, keyed by candidate id, in ascending id order.
 */
export function nonDominatedCounts(fronts: readonly (readonly number[])[], aggregates: readonly number[]): Map<number, number> {
  const memberships = new Map<number, number[]>();
  const counts = fronts.map((members) => members.length);
  fronts.forEach((members, f) => {
    for (const m of members) {
      const list = memberships.get(m);
      if (list) list.push(f);
      else memberships.set(m, [f]);
    }
  });
  const order = [...memberships.keys()].sort((a, b) => (aggregates[a] as number) - (aggregates[b] as number) || a - b);
  const removed = new Set<number>();
  for (const candidate of order) {
    const onFronts = memberships.get(candidate) as number[];
    if (onFronts.every((f) => (counts[f] as number) >= 2)) {
      removed.add(candidate);
      for (const f of onFronts) counts[f] = (counts[f] as number) - 1;
    }
  }
  const survivors = new Map<number, number>();
  for (const candidate of [...memberships.keys()].sort((a, b) => a - b)) {
    if (!removed.has(candidate)) survivors.set(candidate, (memberships.get(candidate) as number[]).length);
  }
  return survivors;
}
