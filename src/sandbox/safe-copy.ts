/**
 * A deep copy of a JSON value from a sandboxed process into plain objects where no key can become a prototype:
 * `__proto__` own keys are dropped (no field may use that name), everything else is copied as data. Later
 * `Object.assign`, spreads or merges in the parent can then never pick up a prototype written by LM-written code.
 */
export function safeCopy(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 1000) return null; // JSON from a frame cannot be cyclic; this only bounds pathological nesting
  if (Array.isArray(value)) return value.map((item) => safeCopy(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    out[key] = safeCopy((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}
