/**
 * Bookkeeping for the DSPy conformance suite. Every case translated from a DSPy test is registered through one of
 * these, so nothing is skipped silently and the totals can be reported:
 * - `dspy(name, fn)`: behaves as in DSPy; `fn` asserts DSPy's expected outcome.
 * - `deliberate(name, id, fn)`: tsdspy deliberately differs; `id` names the entry in docs/dspy-differences.md
 *   (checked to exist) and `fn` asserts tsdspy's documented behaviour (or the DSPy-compatible alternative).
 * - `notProvided(name, id)`: a DSPy feature tsdspy does not have (yet); `id` names its entry in
 *   docs/dspy-differences.md, which gives the alternative.
 * - `notApplicable(name, reason)`: Python-only mechanics (pickling, litellm patching, threads…).
 * - `awaiting(owner, name, fn)`: DSPy's outcome, for an item another issue owns; passes when it already holds,
 *   otherwise it is counted as awaiting (not failed) until that work lands.
 * Per-file totals are written to `$TSDSPY_CONFORMANCE_OUT` (when set) for `npm run conformance`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, it } from 'vitest';

export type Outcome = 'pass' | 'fail' | 'deliberate' | 'notProvided' | 'notApplicable' | 'awaiting' | 'awaitingPassed';

export interface CaseRecord {
  name: string;
  kind: 'dspy' | 'deliberate' | 'notProvided' | 'notApplicable' | 'awaiting';
  outcome?: Outcome;
  note?: string;
}

const differencesDoc = readFileSync(fileURLToPath(new URL('../../docs/dspy-differences.md', import.meta.url)), 'utf8');

function requireDocumented(name: string, id: string): void {
  if (!differencesDoc.includes(`### ${id} `)) throw new Error(`"${name}": ${id} is not listed in docs/dspy-differences.md`);
}

/** Registers the cases of one DSPy test file (e.g. `tests/adapters/test_chat_adapter.py`). */
export function conformance(dspyFile: string) {
  const cases: CaseRecord[] = [];
  afterAll(() => {
    const dir = process.env.TSDSPY_CONFORMANCE_OUT;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${basename(dspyFile).replace(/\W/g, '_')}.json`), JSON.stringify({ dspyFile, cases }, null, 2));
  });
  const track = (record: CaseRecord, fn: () => unknown, onFail: Outcome | 'rethrow', onPass: Outcome) => async () => {
    cases.push(record);
    try {
      await fn();
      record.outcome = onPass;
    } catch (error) {
      if (onFail === 'rethrow') {
        record.outcome = 'fail';
        throw error;
      }
      record.outcome = onFail;
      record.note = error instanceof Error ? error.message.split('\n')[0] : String(error);
    }
  };
  return {
    dspy(name: string, fn: () => unknown) {
      it(name, track({ name, kind: 'dspy' }, fn, 'rethrow', 'pass'));
    },
    deliberate(name: string, id: string, fn: () => unknown) {
      requireDocumented(name, id);
      it(`${name} [deliberate ${id}]`, track({ name, kind: 'deliberate', note: id }, fn, 'rethrow', 'deliberate'));
    },
    notProvided(name: string, id: string) {
      requireDocumented(name, id);
      it(`${name} [not provided ${id}]`, () => {
        cases.push({ name, kind: 'notProvided', outcome: 'notProvided', note: id });
      });
    },
    notApplicable(name: string, reason: string) {
      if (reason.trim().length < 8) throw new Error(`notApplicable("${name}") needs a reason`);
      it(`${name} [n/a: ${reason}]`, () => {
        cases.push({ name, kind: 'notApplicable', outcome: 'notApplicable', note: reason });
      });
    },
    awaiting(owner: string, name: string, fn: () => unknown) {
      it(`${name} [awaiting ${owner}]`, track({ name, kind: 'awaiting', note: owner }, fn, 'awaiting', 'awaitingPassed'));
    },
  };
}
