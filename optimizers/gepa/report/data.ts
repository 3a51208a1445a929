import type { LMUsage } from '../events.js';
import type { RunDirView } from '../run-dir/index.js';

/** Most rows the frontier heatmap shows, and most example columns (examples are bucketed beyond that). */
export const FRONTIER_MAX_ROWS = 60;
export const FRONTIER_MAX_COLS = 240;
/** Up to this many scores (candidates × examples) are embedded exactly; above it, quantized to a byte each. */
const EXACT_SCORES_LIMIT = 200_000;

export interface ReportCandidate {
  parents: number[];
  score: number;
  /** Metric calls spent when it was found. */
  calls: number;
  iteration: number;
  kind: 'seed' | 'reflection' | 'merge';
  /** Components this candidate changed (all of them for the seed). */
  changed: string[];
  /** Texts of the components that differ from the first parent (all for the seed): the rest are inherited. */
  own: Record<string, string>;
  reflections: Array<{ component: string; prompt: string; reply: string }>;
  /** Parent(s) and child on the minibatch (reflection) or sub-sample (merge) it was accepted on. */
  minibatch: { parents: number[][] | null; child: number[] | null } | null;
  /** Examples it is best on (ties included), and the ones only it is best on. */
  best: number;
  unique: number;
}

export interface ReportRejected {
  iteration: number;
  kind: 'reflection' | 'merge';
  parents: number[];
  components: string[];
  reason: string;
  parentSum: number | null;
  childSum: number | null;
}

/** Everything the HTML report draws, as one JSON document embedded in the page. */
export interface ReportData {
  version: 1;
  title: string;
  dir: string;
  generatedAt: string;
  finished: boolean;
  stopReason: string | null;
  components: string[];
  valCount: number;
  /** Validation ids as text, for labelling per-example scores (omitted above 5,000). */
  valIds: string[] | null;
  totalMetricCalls: number;
  maxMetricCalls: number | null;
  bestIdx: number;
  bestScore: number;
  usage: { task: LMUsage; reflection: LMUsage };
  candidates: ReportCandidate[];
  /** Per-example validation scores, candidate-major: exact; or packed codes into a palette of the exact values
   *  (`bits` per score, low bits first); or bytes scaled between min and max. */
  scores:
    | { exact: number[][] }
    | { palette: number[]; bits: number; base64: string }
    | { min: number; max: number; base64: string };
  rejected: ReportRejected[];
  /** One row per iteration: [iteration, totalMetricCalls, task calls, task tokens in, task tokens out, task cost,
   *  reflection calls, reflection tokens in, reflection tokens out, reflection cost, accepted (0/1), durationMs]. */
  iterations: number[][];
  frontier: {
    rows: number[];
    /** Examples per column. */
    bucket: number;
    cols: number;
    /** rows × cols bytes (base64): 255 × the share of the column's examples the row's candidate is best on. */
    base64: string;
    /** Candidates on the frontier that are not drawn (beyond the row limit). */
    hidden: number;
  };
  errors: Array<{ iteration: number; message: string }>;
}

/** Builds the report's data from a run dir's view: downsampled where a run is large. */
export function reportData(view: RunDirView, options: { title?: string; now?: Date } = {}): ReportData {
  const cands = view.candidates;
  const components = view.config ? Object.keys(view.config.seedCandidate) : Object.keys(cands[0]?.texts ?? {});
  const valCount = view.valIds.length;
  const matrix = cands.map((c) => c.valScores);
  const { best, unique, top } = coverage(matrix, valCount);
  const candidates: ReportCandidate[] = cands.map((c) => {
    const first = c.parents[0];
    const parentTexts = first === undefined ? undefined : cands[first]?.texts;
    const own: Record<string, string> = {};
    for (const [name, text] of Object.entries(c.texts)) if (parentTexts?.[name] !== text) own[name] = text;
    const o = c.origin;
    return {
      parents: [...c.parents],
      score: c.valAggregate,
      calls: c.discoveryMetricCalls,
      iteration: c.iteration,
      kind: o.kind,
      changed: o.kind === 'reflection' ? o.components : Object.keys(own),
      own,
      reflections:
        o.kind === 'reflection' ? o.reflections.map(({ component, prompt, reply }) => ({ component, prompt, reply })) : [],
      minibatch:
        o.kind === 'reflection' && o.minibatch
          ? { parents: o.minibatch.parentScores ? [o.minibatch.parentScores] : null, child: o.minibatch.childScores }
          : o.kind === 'merge'
            ? { parents: o.parentScores ? [o.parentScores[0], o.parentScores[1]] : null, child: o.childScores }
            : null,
      best: best[c.idx] ?? 0,
      unique: unique[c.idx] ?? 0,
    };
  });
  const rejected: ReportRejected[] = view.iterations
    .filter((it) => !it.accepted && (it.kind === 'reflection' || it.kind === 'merge') && (it.proposal || it.merge))
    .map((it) => ({
      iteration: it.iteration,
      kind: it.kind as 'reflection' | 'merge',
      parents: [...it.parents],
      components: it.proposal?.components ?? [],
      reason: it.reason ?? '',
      parentSum: sum(it.minibatch?.parentScores),
      childSum: sum(it.minibatch?.childScores),
    }));
  const iterations = view.iterations.map((it) => [
    it.iteration,
    it.totalMetricCalls ?? 0,
    it.lm?.task.calls ?? 0,
    it.lm?.task.inputTokens ?? 0,
    it.lm?.task.outputTokens ?? 0,
    it.lm?.task.cost ?? 0,
    it.lm?.reflection.calls ?? 0,
    it.lm?.reflection.inputTokens ?? 0,
    it.lm?.reflection.outputTokens ?? 0,
    it.lm?.reflection.cost ?? 0,
    it.accepted ? 1 : 0,
    it.durationMs ?? 0,
  ]);
  return {
    version: 1,
    title: options.title ?? `GEPA run: ${view.dir}`,
    dir: view.dir,
    generatedAt: (options.now ?? new Date()).toISOString(),
    finished: view.finished,
    stopReason: view.stopReason,
    components,
    valCount,
    valIds: valCount <= 5000 ? view.valIds.map(String) : null,
    totalMetricCalls: view.totalMetricCalls,
    maxMetricCalls: view.maxMetricCalls,
    bestIdx: view.bestIdx,
    bestScore: view.bestScore,
    usage: view.usage,
    candidates,
    scores: packScores(
      cands.map((c) => c.valScores),
      valCount,
    ),
    rejected,
    iterations,
    frontier: frontierHeatmap(matrix, top, best, valCount, view.bestIdx),
    errors: view.errors.map(({ iteration, message }) => ({ iteration, message })),
  };
}

function sum(values: readonly number[] | null | undefined): number | null {
  return values ? values.reduce((a, b) => a + b, 0) : null;
}

/** Per example, the best score and how many candidates reach it; per candidate, how many examples it is best on. */
function coverage(matrix: readonly (readonly number[])[], valCount: number) {
  const top = new Float64Array(valCount).fill(Number.NEGATIVE_INFINITY);
  const ties = new Uint32Array(valCount);
  for (const row of matrix) {
    for (let v = 0; v < valCount; v++) {
      const s = row[v] ?? Number.NEGATIVE_INFINITY;
      if (s > (top[v] as number)) {
        top[v] = s;
        ties[v] = 1;
      } else if (s === top[v]) ties[v] = (ties[v] as number) + 1;
    }
  }
  const best = matrix.map(() => 0);
  const unique = matrix.map(() => 0);
  matrix.forEach((row, c) => {
    let b = 0;
    let u = 0;
    for (let v = 0; v < valCount; v++) {
      if (row[v] === top[v]) {
        b++;
        if (ties[v] === 1) u++;
      }
    }
    best[c] = b;
    unique[c] = u;
  });
  return { best, unique, top };
}

/**
 * Per-example scores, compactly: exact JSON for small runs; else, when a run uses at most 16 distinct scores (0/1
 * metrics, partial credit in steps), 1, 2 or 4 bits per score indexing a palette of the exact values; else one byte
 * per score scaled between the minimum and maximum.
 */
function packScores(matrix: readonly (readonly number[])[], valCount: number): ReportData['scores'] {
  if (matrix.length * valCount <= EXACT_SCORES_LIMIT) return { exact: matrix.map((row) => [...row]) };
  const palette = new Map<number, number>();
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of matrix) {
    for (let v = 0; v < valCount; v++) {
      const s = row[v] ?? 0;
      if (s < min) min = s;
      if (s > max) max = s;
      if (palette.size <= 16 && !palette.has(s)) palette.set(s, palette.size);
    }
  }
  const n = matrix.length * valCount;
  if (palette.size <= 16) {
    const bits = palette.size <= 2 ? 1 : palette.size <= 4 ? 2 : 4;
    const perByte = 8 / bits;
    const bytes = new Uint8Array(Math.ceil(n / perByte));
    let i = 0;
    for (const row of matrix) {
      for (let v = 0; v < valCount; v++, i++) {
        const code = palette.get(row[v] ?? 0) as number;
        bytes[(i / perByte) | 0] = (bytes[(i / perByte) | 0] as number) | (code << ((i % perByte) * bits));
      }
    }
    return { palette: [...palette.keys()], bits, base64: Buffer.from(bytes).toString('base64') };
  }
  const span = max > min ? max - min : 1;
  const bytes = new Uint8Array(n);
  let i = 0;
  for (const row of matrix) for (let v = 0; v < valCount; v++, i++) bytes[i] = Math.round((((row[v] ?? min) - min) / span) * 255);
  return { min, max, base64: Buffer.from(bytes).toString('base64') };
}

function frontierHeatmap(
  matrix: readonly (readonly number[])[],
  top: Float64Array,
  best: number[],
  valCount: number,
  bestIdx: number,
): ReportData['frontier'] {
  const onFrontier = [...best.keys()].filter((c) => (best[c] ?? 0) > 0);
  onFrontier.sort((a, b) => (a === bestIdx ? -1 : b === bestIdx ? 1 : (best[b] ?? 0) - (best[a] ?? 0) || a - b));
  const rows = onFrontier.slice(0, FRONTIER_MAX_ROWS);
  const bucket = Math.max(1, Math.ceil(valCount / FRONTIER_MAX_COLS));
  const cols = Math.ceil(valCount / bucket);
  const bytes = new Uint8Array(rows.length * cols);
  rows.forEach((c, r) => {
    const row = matrix[c] as readonly number[];
    for (let col = 0; col < cols; col++) {
      const end = Math.min(valCount, (col + 1) * bucket);
      let hits = 0;
      for (let v = col * bucket; v < end; v++) if (row[v] === top[v]) hits++;
      bytes[r * cols + col] = Math.round((hits / (end - col * bucket)) * 255);
    }
  });
  return { rows, bucket, cols, base64: Buffer.from(bytes).toString('base64'), hidden: onFrontier.length - rows.length };
}
