import { mean } from './state.js';

/** Which "tasks" a candidate can be best at; see docs/gepa-engine.md. */
export type FrontierType = 'instance' | 'objective' | 'hybrid' | 'cartesian';

/** The scores a candidate contributes to the frontier. */
export interface CandidateScores {
  /** Score per validation instance, aligned with the valset ids. */
  instance: readonly number[];
  /** Per validation instance, score per objective (needed by objective, hybrid and cartesian frontiers). */
  objectives: ReadonlyArray<Record<string, number>> | null;
}

/**
 * The Pareto frontier: for each key (a validation instance, an objective, or both), the best score seen
 * and the candidates that reach it. Updated incrementally as candidates are added, with the bookkeeping
 * (member bitsets, each key's top-ranked member, fronts per candidate) that makes dominance filtering
 * cost O(keys) instead of O(keys × members).
 */
export class Frontier {
  private readonly index = new Map<string, number>();
  private readonly best: number[] = [];
  private readonly memberLists: number[][] = [];
  /** Per key, members as a bitset over candidate ids. */
  private bits: Uint32Array[] = [];
  private words = 1;
  /** Per candidate, how many keys it is best on. */
  private readonly frontCount: number[] = [];
  private readonly aggregates: number[] = [];

  constructor(readonly type: FrontierType) {}

  /** Adds a candidate; returns true when it reached the best score on at least one key. */
  add(candidate: number, scores: CandidateScores, aggregate = mean(scores.instance)): boolean {
    this.aggregates[candidate] = aggregate;
    this.frontCount[candidate] = 0;
    this.ensureCapacity(candidate);
    let onFront = false;
    for (const [key, score] of this.keyScores(scores)) {
      let f = this.index.get(key);
      if (f === undefined) {
        f = this.best.length;
        this.index.set(key, f);
        this.best.push(Number.NEGATIVE_INFINITY);
        this.memberLists.push([]);
        this.bits.push(new Uint32Array(this.words));
      }
      const best = this.best[f] as number;
      if (score > best) {
        for (const old of this.memberLists[f] as number[]) this.frontCount[old] = (this.frontCount[old] as number) - 1;
        this.best[f] = score;
        this.memberLists[f] = [candidate];
        (this.bits[f] as Uint32Array).fill(0);
      } else if (score === best) {
        (this.memberLists[f] as number[]).push(candidate);
      } else {
        continue;
      }
      const words = this.bits[f] as Uint32Array;
      words[candidate >>> 5] = (words[candidate >>> 5] as number) | (1 << (candidate & 31));
      this.frontCount[candidate] = (this.frontCount[candidate] as number) + 1;
      onFront = true;
    }
    return onFront;
  }

  /** Candidate ids best on each key, in key insertion order (live arrays: read, don't modify). */
  fronts(): readonly (readonly number[])[] {
    return this.memberLists;
  }

  /** Every candidate on at least one front. */
  members(): Set<number> {
    const all = new Set<number>();
    for (const list of this.memberLists) for (const m of list) all.add(m);
    return all;
  }

  /**
   * Non-dominated candidates with the number of keys each is best on; same result as
   * {@link nonDominatedCounts} (gepa's dominated-candidate removal). Candidates are ranked by aggregate score,
   * ties by {@link appearanceRanks} (the later first appearance ranks higher). A candidate that is not the
   * top-ranked member of any key is always dominated (that top member outlives it on every key it holds); a
   * top-ranked one survives when, on some key it tops, no lower-ranked member survived before it.
   */
  nonDominated(): Map<number, number> {
    const rank = appearanceRanks(this.memberLists, this.aggregates.length);
    const outranks = (a: number, b: number): boolean => {
      const da = this.aggregates[a] as number;
      const db = this.aggregates[b] as number;
      return da > db || (da === db && (rank[a] as number) > (rank[b] as number));
    };
    const byTop = new Map<number, number[]>();
    for (let f = 0; f < this.memberLists.length; f++) {
      const members = this.memberLists[f] as number[];
      if (members.length === 0) continue;
      let t = members[0] as number;
      for (const m of members) if (outranks(m, t)) t = m;
      const list = byTop.get(t);
      if (list) list.push(f);
      else byTop.set(t, [f]);
    }
    const order = [...byTop.keys()].sort((a, b) => (outranks(a, b) ? 1 : -1));
    const survivorBits = new Uint32Array(this.words);
    const survivors: number[] = [];
    for (const c of order) {
      const protectedSomewhere = (byTop.get(c) as number[]).some((f) => {
        const words = this.bits[f] as Uint32Array;
        for (let w = 0; w < words.length; w++) if (((words[w] as number) & (survivorBits[w] as number)) !== 0) return false;
        return true;
      });
      if (protectedSomewhere) {
        survivors.push(c);
        survivorBits[c >>> 5] = (survivorBits[c >>> 5] as number) | (1 << (c & 31));
      }
    }
    survivors.sort((a, b) => a - b);
    return new Map(survivors.map((c) => [c, this.frontCount[c] as number]));
  }

  private ensureCapacity(candidate: number): void {
    if (candidate < this.words * 32) return;
    let words = this.words;
    while (candidate >= words * 32) words *= 2;
    this.bits = this.bits.map((old) => {
      const grown = new Uint32Array(words);
      grown.set(old);
      return grown;
    });
    this.words = words;
  }

  private *keyScores(scores: CandidateScores): Generator<[string, number]> {
    const { instance, objectives } = scores;
    if (this.type === 'instance' || this.type === 'hybrid') {
      for (let v = 0; v < instance.length; v++) yield [`i${v}`, instance[v] as number];
    }
    // Hybrid adds objective keys when the adapter reports objectives, and is the instance frontier otherwise.
    if (this.type === 'objective' || (this.type === 'hybrid' && objectives)) {
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
 * Reference implementation (used to cross-check {@link Frontier.nonDominated} in tests).
 * Removes dominated candidates from the fronts: a candidate is dominated when every front it is on also
 * holds another surviving candidate. Candidates are visited from the lowest aggregate score up, so the strongest
 * survive; among equal aggregates, in order of first appearance on the fronts (as gepa does), so of tied
 * candidates the one that appears last survives. One pass suffices because removals only make others harder to remove.
 * Returns each survivor's number of fronts, keyed by candidate id, in ascending id order.
 */
export function nonDominatedCounts(fronts: readonly (readonly number[])[], aggregates: readonly number[]): Map<number, number> {
  // Flat typed arrays (CSR layout): with thousands of keys and candidates this is the engine's hot path.
  let maxId = -1;
  for (const members of fronts) for (const m of members) if (m > maxId) maxId = m;
  const size = maxId + 1;
  const frontCount = new Int32Array(size);
  for (const members of fronts) for (const m of members) frontCount[m] = (frontCount[m] as number) + 1;
  const offsets = new Int32Array(size + 1);
  for (let c = 0; c < size; c++) offsets[c + 1] = (offsets[c] as number) + (frontCount[c] as number);
  const flat = new Int32Array(offsets[size] as number);
  const fill = offsets.slice(0, size);
  const remaining = new Int32Array(fronts.length);
  fronts.forEach((members, f) => {
    remaining[f] = members.length;
    for (const m of members) {
      flat[fill[m] as number] = f;
      fill[m] = (fill[m] as number) + 1;
    }
  });
  const present: number[] = [];
  for (let c = 0; c < size; c++) if ((frontCount[c] as number) > 0) present.push(c);
  const rank = appearanceRanks(fronts, size);
  const order = [...present].sort(
    (a, b) => (aggregates[a] as number) - (aggregates[b] as number) || (rank[a] as number) - (rank[b] as number),
  );
  const removed = new Uint8Array(size);
  for (const candidate of order) {
    const start = offsets[candidate] as number;
    const end = offsets[candidate + 1] as number;
    let dominated = true;
    for (let k = start; k < end; k++) {
      if ((remaining[flat[k] as number] as number) < 2) {
        dominated = false;
        break;
      }
    }
    if (dominated) {
      removed[candidate] = 1;
      for (let k = start; k < end; k++) remaining[flat[k] as number] = (remaining[flat[k] as number] as number) - 1;
    }
  }
  const survivors = new Map<number, number>();
  for (const candidate of present) if (!removed[candidate]) survivors.set(candidate, frontCount[candidate] as number);
  return survivors;
}

/**
 * Each candidate's order of first appearance when the fronts are read key by key (keys in insertion order,
 * members in ascending id): gepa's tie order among equal aggregates. -1 for candidates on no front.
 */
export function appearanceRanks(fronts: readonly (readonly number[])[], size: number): Int32Array {
  const rank = new Int32Array(size).fill(-1);
  let next = 0;
  for (const members of fronts) {
    for (const m of members) {
      if (m < size && rank[m] === -1) rank[m] = next++;
    }
  }
  return rank;
}
