import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STATE_FILE = 'gepa-state.json';
export const EVENTS_FILE = 'events.jsonl';

/** Writes a file so that readers see either the old or the new content, never a torn one, even after SIGKILL. */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function ensureRunDir(runDir: string): void {
  mkdirSync(runDir, { recursive: true });
}

export function readSavedState(runDir: string): unknown | undefined {
  const path = join(runDir, STATE_FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'));
}
