import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunDirCorruptError } from '../errors.js';
import { STATE_FILE } from './files.js';

/** Reads the state snapshot's JSON, or undefined when the run dir has none; never a bare SyntaxError. */
export function readSnapshotJSON(runDir: string): unknown | undefined {
  const path = join(runDir, STATE_FILE);
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RunDirCorruptError(path, `unreadable (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  if (text.trim() === '') throw new RunDirCorruptError(path, 'empty (0 bytes of state)');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RunDirCorruptError(path, `truncated or not JSON (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
}
