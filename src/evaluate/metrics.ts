import type { Metric } from './metric.js';

/** SQuAD-style normalization: lower case, no punctuation, no articles, single spaces. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const asList = (gold: unknown): string[] => (Array.isArray(gold) ? gold.map(String) : [String(gold ?? '')]);

/** True when the normalized prediction equals any normalized gold answer. */
export function textExactMatch(prediction: unknown, gold: unknown): boolean {
  const p = normalizeText(String(prediction ?? ''));
  return asList(gold).some((g) => normalizeText(g) === p);
}

/** Token-level F1 between prediction and the best-matching gold answer. */
export function textF1(prediction: unknown, gold: unknown): number {
  const tokens = (s: string) => normalizeText(s).split(' ').filter(Boolean);
  const predTokens = tokens(String(prediction ?? ''));
  let best = 0;
  for (const g of asList(gold)) {
    const goldTokens = tokens(g);
    if (predTokens.length === 0 || goldTokens.length === 0) {
      best = Math.max(best, predTokens.length === goldTokens.length ? 1 : 0);
      continue;
    }
    const counts = new Map<string, number>();
    for (const t of goldTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    let common = 0;
    for (const t of predTokens) {
      const c = counts.get(t) ?? 0;
      if (c > 0) {
        common++;
        counts.set(t, c - 1);
      }
    }
    if (common === 0) continue;
    const precision = common / predTokens.length;
    const recall = common / goldTokens.length;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

/** True when any passage contains any normalized gold answer. */
export function textPassageMatch(passages: unknown, gold: unknown): boolean {
  const list = (Array.isArray(passages) ? passages : [passages]).map((p) => normalizeText(String(p ?? '')));
  return asList(gold).some((g) => {
    const answer = normalizeText(g);
    return answer !== '' && list.some((p) => ` ${p} `.includes(` ${answer} `));
  });
}

const NUMBER = /-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?|-?\.\d+/gi;

/**
 * The number a text states, read tolerantly: the last number in it (so `A: 18`, `#### 1,200`, `$3.50` and
 * `the answer is 42.` all work), with commas, currency signs and a trailing period ignored; `3/4` → 0.75.
 * Returns undefined when there is no number.
 */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = String(value ?? '');
  const fraction = /(-?\d+)\s*\/\s*(\d+)\s*\.?\s*$/.exec(text);
  if (fraction && Number(fraction[2]) !== 0) return Number(fraction[1]) / Number(fraction[2]);
  const matches = text.match(NUMBER);
  if (!matches) return undefined;
  const n = Number((matches.at(-1) as string).replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** Numbers equal within a relative tolerance (default 1e-6). */
export function numbersMatch(prediction: unknown, gold: unknown, tolerance = 1e-6): boolean {
  const p = parseNumber(prediction);
  const g = parseNumber(gold);
  if (p === undefined || g === undefined) return false;
  return Math.abs(p - g) <= tolerance * Math.max(1, Math.abs(g));
}

/** Metrics read fields by name from any example or prediction object. */
type Fields = object;
const read = (record: object, field: string): unknown => (record as Record<string, unknown>)[field];

/** Exact match of `prediction[field]` against `example[goldField]` (a string or a list of accepted answers). */
export function answerExactMatch(field = 'answer', goldField = field): Metric<Fields, Fields> {
  return (example, prediction) => textExactMatch(read(prediction, field), read(example, goldField));
}

/** Token F1 of `prediction[field]` against `example[goldField]`. */
export function answerF1(field = 'answer', goldField = field): Metric<Fields, Fields> {
  return (example, prediction) => textF1(read(prediction, field), read(example, goldField));
}

/** Numeric equality of `prediction[field]` and `example[goldField]`, with tolerant number parsing. */
export function answerNumericMatch(field = 'answer', goldField = field, tolerance = 1e-6): Metric<Fields, Fields> {
  return (example, prediction) => numbersMatch(read(prediction, field), read(example, goldField), tolerance);
}

/** Whether the retrieved passages (`prediction[passagesField]`, else `example[passagesField]`) contain the gold answer. */
export function answerPassageMatch(passagesField = 'context', goldField = 'answer'): Metric<Fields, Fields> {
  return (example, prediction) =>
    textPassageMatch(read(prediction, passagesField) ?? read(example, passagesField), read(example, goldField));
}

/** Built-in metrics on the `answer` field (and `context` passages). */
export const exactMatch = answerExactMatch();
export const f1 = answerF1();
export const numericMatch = answerNumericMatch();
export const passageMatch = answerPassageMatch();
