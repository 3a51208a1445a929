import { jsonrepair } from 'jsonrepair';

/**
 * Parses JSON the way LMs write it (as DSPy does with json_repair): strict JSON first, then a repaired reading that
 * accepts single quotes, Python literals (`True`, `False`, `None`), trailing commas, unquoted keys and numeric
 * underscores (`123_456.789`). Returns undefined when the text is not a JSON object or array even after repair,
 * unless `scalars` is set (then repaired scalars are returned too).
 */
export function parseJsonLenient(text: string, options: { scalars?: boolean } = {}): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    // fall through to the repair
  }
  try {
    const value: unknown = JSON.parse(jsonrepair(withoutNumericUnderscores(trimmed)));
    if (options.scalars || (typeof value === 'object' && value !== null)) return value;
  } catch {
    // not repairable
  }
  return undefined;
}

/** `123_456.789` → `123456.789` outside of strings (Python numeric literals). */
function withoutNumericUnderscores(text: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === '\\') {
        out += ch + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '_' && /\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '')) {
      continue;
    }
    out += ch;
  }
  return out;
}
