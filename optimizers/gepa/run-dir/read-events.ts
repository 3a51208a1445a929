import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { RunDirCorruptError, RunDirMismatchError } from '../errors.js';
import { EVENT_SCHEMA_VERSION } from './event-log.js';
import { type RunDirEvent, runDirEventSchema } from './event-schema.js';

const KNOWN_TYPES = new Set(runDirEventSchema.options.map((o) => o.shape.type.value as string));

/**
 * Reads and validates events.jsonl. A torn last line (a kill mid-write) is ignored; any other bad line is a
 * RunDirCorruptError naming the line. Event types this version does not know are skipped (newer writers may add some).
 */
export function readEventLines(path: string): RunDirEvent[] {
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RunDirCorruptError(path, `unreadable (${error instanceof Error ? error.message : String(error)})`);
  }
  const lines = text.split('\n');
  // The part after the last newline is either empty or a torn line.
  lines.pop();
  const events: RunDirEvent[] = [];
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new RunDirCorruptError(path, `line ${i + 1} is not JSON`);
    }
    const head = raw as { v?: unknown; type?: unknown };
    if (typeof head?.v === 'number' && head.v > EVENT_SCHEMA_VERSION) {
      throw new RunDirMismatchError(
        `${path} was written with event schema v${head.v}; this version of tsdspy reads up to v${EVENT_SCHEMA_VERSION}. Upgrade tsdspy to read it.`,
      );
    }
    if (typeof head?.type === 'string' && !KNOWN_TYPES.has(head.type)) continue;
    // Lines written before the schema was versioned have no `v`: they are v1.
    const parsed = runDirEventSchema.safeParse(typeof head?.v === 'number' ? raw : { v: 1, ...(raw as object) });
    if (!parsed.success) throw new RunDirCorruptError(path, `line ${i + 1}: ${z.prettifyError(parsed.error)}`);
    events.push(parsed.data);
  }
  return events;
}
