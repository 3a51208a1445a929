import type { Frontier } from '../frontier.js';
import type { Rng } from '../rng.js';
import type { EngineState } from '../state.js';
import type { Candidate, DataId } from '../types.js';

export interface MergeProposal {
  candidate: Candidate;
  parents: [number, number];
  ancestor: number;
  /** Validation ids to compare the merged child with its parents on. */
  ids: DataId[];
  /** Each parent's sum of scores on `ids` (from its full validation run). */
  parentSums: [number, number];
}

function ancestorsOf(state: EngineState, node: number): Set<number> {
  const found = new Set<number>();
  const stack = [...(state.parents[node] ?? [])];
  while (stack.length) {
    const next = stack.pop() as number;
    if (found.has(next)) continue;
    found.add(next);
    stack.push(...(state.parents[next] ?? []));
  }
  return found;
}

/** A component is worth merging when one descendant kept the ancestor's text and the other changed it. */
function hasComplementaryChange(a: Candidate, i: Candidate, j: Candidate): boolean {
  return Object.keys(a).some((name) => (a[name] === i[name] || a[name] === j[name]) && i[name] !== j[name]);
}

/**
 * Picks two non-dominated candidates that share an ancestor and changed different components, and builds a child
 * taking each component from the parent that changed it (both changed: the better parent's). Tried triplets and
 * tried component-wise descriptions are never repeated. Returns null when no pair qualifies.
 */
export function proposeMerge(state: EngineState, frontier: Frontier, rng: Rng, overlapFloor: number): MergeProposal | null {
  if (state.valIds.length < overlapFloor) return null;
  const pool = [...frontier.nonDominated().keys()];
  if (pool.length < 2 || state.candidates.length < 3) return null;
  const agg = state.aggregates;
  const tried = new Set(state.merge.triedTriplets);
  const triedDescriptions = new Set(state.merge.triedDescriptions);

  for (let attempt = 0; attempt < 10; attempt++) {
    const pair = rng.sample(pool, 2).sort((a, b) => a - b) as [number, number];
    const [i, j] = pair;
    const ancI = ancestorsOf(state, i);
    const ancJ = ancestorsOf(state, j);
    if (ancI.has(j) || ancJ.has(i)) continue;
    const common = [...ancI]
      .filter((a) => ancJ.has(a))
      .sort((a, b) => a - b)
      .filter(
        (a) =>
          !tried.has(`${i},${j},${a}`) &&
          (agg[a] as number) <= (agg[i] as number) &&
          (agg[a] as number) <= (agg[j] as number) &&
          hasComplementaryChange(
            state.candidates[a] as Candidate,
            state.candidates[i] as Candidate,
            state.candidates[j] as Candidate,
          ),
      );
    if (common.length === 0) continue;
    const ancestor = rng.weighted(
      common,
      common.map((a) => agg[a] as number),
    );
    const [candidate, sources] = combine(state, ancestor, i, j, rng);
    const description = `${i},${j},${sources.join('|')}`;
    state.merge.triedTriplets.push(`${i},${j},${ancestor}`);
    tried.add(`${i},${j},${ancestor}`);
    if (triedDescriptions.has(description)) continue;
    state.merge.triedDescriptions.push(description);
    const ids = mergeSubsample(state, i, j, overlapFloor, rng);
    const sumOn = (c: number) => ids.reduce<number>((s, id) => s + (state.valScores[c]?.[state.valIds.indexOf(id)] as number), 0);
    return { candidate, parents: pair, ancestor, ids, parentSums: [sumOn(i), sumOn(j)] };
  }
  return null;
}

function combine(state: EngineState, ancestor: number, i: number, j: number, rng: Rng): [Candidate, number[]] {
  const a = state.candidates[ancestor] as Candidate;
  const ci = state.candidates[i] as Candidate;
  const cj = state.candidates[j] as Candidate;
  const agg = state.aggregates;
  const child: Candidate = {};
  const sources: number[] = [];
  for (const name of Object.keys(a)) {
    let source: number;
    if ((a[name] === ci[name] || a[name] === cj[name]) && ci[name] !== cj[name]) {
      source = a[name] === ci[name] ? j : i;
    } else if (a[name] !== ci[name] && a[name] !== cj[name]) {
      source = (agg[i] as number) > (agg[j] as number) ? i : (agg[j] as number) > (agg[i] as number) ? j : rng.pick([i, j]);
    } else {
      source = i;
    }
    child[name] = (state.candidates[source] as Candidate)[name] as string;
    sources.push(source);
  }
  return [child, sources];
}

/** `size` validation ids, balanced between where i wins, where j wins, and ties (in that order of preference). */
function mergeSubsample(state: EngineState, i: number, j: number, size: number, rng: Rng): DataId[] {
  const si = state.valScores[i] as number[];
  const sj = state.valScores[j] as number[];
  const positions = state.valIds.map((_, v) => v);
  const buckets = [
    positions.filter((v) => (si[v] as number) > (sj[v] as number)),
    positions.filter((v) => (sj[v] as number) > (si[v] as number)),
    positions.filter((v) => si[v] === sj[v]),
  ];
  const perBucket = Math.max(1, Math.ceil(size / 3));
  const chosen: number[] = [];
  for (const bucket of buckets) chosen.push(...rng.sample(bucket, Math.min(perBucket, size - chosen.length)));
  if (chosen.length < size)
    chosen.push(
      ...rng.sample(
        positions.filter((v) => !chosen.includes(v)),
        size - chosen.length,
      ),
    );
  return chosen.map((v) => state.valIds[v] as DataId);
}
