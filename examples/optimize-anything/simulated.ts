/**
 * A simulated reflection LM for the code example: NOT a model. It proposes the next heuristic in a fixed ladder
 * (fix the bug → first fit → first fit decreasing), choosing by what the evaluation logs report.
 */

/** The seed: next fit with an off-by-one that overfills bins. */
export const SEED_PACKER = `function pack(items, capacity) {
  const bins = [[]];
  let load = 0;
  for (const item of items) {
    if (load + item > capacity + 5) { bins.push([]); load = 0; }
    bins[bins.length - 1].push(item);
    load += item;
  }
  return bins;
}`;

const NEXT_FIT = `function pack(items, capacity) {
  const bins = [[]];
  let load = 0;
  for (const item of items) {
    if (load + item > capacity) { bins.push([]); load = 0; }
    bins[bins.length - 1].push(item);
    load += item;
  }
  return bins;
}`;

const FIRST_FIT = `function pack(items, capacity) {
  const bins = [];
  const loads = [];
  for (const item of items) {
    const i = loads.findIndex((load) => load + item <= capacity);
    if (i === -1) { bins.push([item]); loads.push(item); }
    else { bins[i].push(item); loads[i] += item; }
  }
  return bins;
}`;

const FIRST_FIT_DECREASING = `function pack(items, capacity) {
  const sorted = [...items].sort((a, b) => b - a);
  const bins = [];
  const loads = [];
  for (const item of sorted) {
    const i = loads.findIndex((load) => load + item <= capacity);
    if (i === -1) { bins.push([item]); loads.push(item); }
    else { bins[i].push(item); loads[i] += item; }
  }
  return bins;
}`;

export function simulatedCodeReflection(prompt: string): string {
  const current = /## Current artifact\n```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  let next = current;
  if (/Invalid packing|Error \(/.test(prompt)) next = NEXT_FIT;
  else if (current === NEXT_FIT) next = FIRST_FIT;
  else if (current === FIRST_FIT) next = FIRST_FIT_DECREASING;
  return `The logs show where bins are wasted. Improved version:\n\`\`\`js\n${next}\n\`\`\``;
}
