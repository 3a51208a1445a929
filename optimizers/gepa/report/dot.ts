/** What a lineage graph needs: every candidate's parents and aggregate score, and the best one. */
export interface LineageInput {
  parents: readonly (readonly number[])[];
  scores: readonly number[];
  bestIdx: number;
  /** Metric calls spent when each candidate was found (shown under the score when given). */
  discoveryEvalCounts?: readonly number[];
}

/**
 * The candidate lineage as a Graphviz DOT graph: one node per candidate (score in the label, the best one filled),
 * an edge from each parent; merges (two parents) get a distinct shape and dashed edges.
 */
export function lineageDot(input: LineageInput, title = 'GEPA lineage'): string {
  const lines = [
    `digraph ${quote(title)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
  ];
  input.scores.forEach((score, i) => {
    const parents = input.parents[i] ?? [];
    const calls = input.discoveryEvalCounts?.[i];
    const label = `#${i}\\n${formatScore(score)}${calls === undefined ? '' : `\\n@${calls} calls`}`;
    const attrs = [`label="${label}"`];
    if (i === input.bestIdx) attrs.push('fillcolor="#ffd966"', 'penwidth=2');
    if (parents.length > 1) attrs.push('shape=hexagon');
    lines.push(`  c${i} [${attrs.join(', ')}];`);
  });
  input.parents.forEach((parents, i) => {
    for (const p of parents) lines.push(`  c${p} -> c${i}${parents.length > 1 ? ' [style=dashed]' : ''};`);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(3) : String(score);
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
