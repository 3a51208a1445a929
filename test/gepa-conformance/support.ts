/**
 * The gepa conformance suite: gepa's own tests (gepa-ai/gepa tests/), translated case by case. Every case is one of
 * - `same`: tsdspy behaves as gepa;
 * - `differs`: a deliberate difference, documented under its id in docs/gepa-differences.md (the case asserts
 *   tsdspy's behaviour and that the entry exists);
 * - `notApplicable`: gepa-only machinery, documented the same way. Nothing is skipped silently.
 */
import { readFileSync } from 'node:fs';
import type { Candidate, EvaluationBatch, GEPAAdapter } from 'tsdspy';
import { Frontier, Rng } from 'tsdspy';
import { expect, it } from 'vitest';

const differences = readFileSync(new URL('../../docs/gepa-differences.md', import.meta.url), 'utf8');

function documented(id: string): void {
  expect(differences, `docs/gepa-differences.md has no entry [${id}]`).toContain(`[${id}]`);
}

export function same(gepaTest: string, fn: () => unknown | Promise<unknown>): void {
  it(`same as gepa: ${gepaTest}`, fn);
}

export function differs(id: string, gepaTest: string, fn: () => unknown | Promise<unknown>): void {
  it(`differs [${id}]: ${gepaTest}`, async () => {
    documented(id);
    await fn();
  });
}

export function notApplicable(id: string, gepaTest: string): void {
  it(`not applicable [${id}]: ${gepaTest}`, () => documented(id));
}

/** A selection context over candidates given by their per-example scores (instance frontier). */
export function population(scores: readonly (readonly number[])[], seed = 0) {
  const frontier = new Frontier('instance');
  const aggregates = scores.map((s) => s.reduce((a, b) => a + b, 0) / s.length);
  scores.forEach((s, c) => {
    frontier.add(c, { instance: s, objectives: null });
  });
  return { frontier, aggregates, rng: new Rng(seed) };
}

/**
 * A deterministic two-component task: example i needs `fact i` in component `a` (even i) or `b` (odd i).
 * The reflection LM adds the facts named in the feedback of the component it is asked about.
 */
export function twoComponentTask(n = 8) {
  const data = Array.from({ length: n }, (_, i) => i);
  const adapter: GEPAAdapter<number, { i: number; ok: boolean }, boolean> & { evaluated: number } = {
    evaluated: 0,
    evaluate(
      batch: readonly number[],
      candidate: Candidate,
      traces: boolean,
    ): EvaluationBatch<{ i: number; ok: boolean }, boolean> {
      this.evaluated += batch.length;
      const oks = batch.map((i) => (candidate[i % 2 === 0 ? 'a' : 'b'] ?? '').split('\n').includes(`fact ${i}`));
      return {
        outputs: oks,
        scores: oks.map((ok) => (ok ? 1 : 0)),
        ...(traces ? { trajectories: batch.map((i, k) => ({ i, ok: oks[k] as boolean })) } : {}),
      };
    },
    makeReflectiveDataset(_c, batch, components) {
      const out: Record<string, Array<Record<string, unknown>>> = {};
      for (const component of components) {
        out[component] = (batch.trajectories ?? [])
          .filter((t) => (t.i % 2 === 0 ? 'a' : 'b') === component && !t.ok)
          .map((t) => ({ Feedback: `needs fact ${t.i}` }));
      }
      return out;
    },
  };
  const reflectionLM = (prompt: string) => {
    const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
    const facts = [...prompt.matchAll(/needs (fact \d+)/g)].map((m) => m[1] as string);
    return `\`\`\`\n${[...current.split('\n'), ...facts].filter((l, i, all) => l && all.indexOf(l) === i).join('\n')}\n\`\`\``;
  };
  return { data, adapter, reflectionLM };
}
