import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';

/** The latest snapshot of the engine state (plus where in the journal it stands). */
export const STATE_FILE = 'gepa-state.json';
/** Every engine event, one JSON object a line: the run's history, read by `readRunDir` and `tsdspy show/report`. */
export const EVENTS_FILE = 'events.jsonl';
/** Append-only, checksummed records: state changes per iteration and the write-ahead evaluation records. */
export const JOURNAL_FILE = 'journal.log';

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

/** Size of a file, or -1 when it does not exist. */
export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/**
 * Cuts a line-oriented file after its last newline, dropping a line torn by a kill mid-write, so the next
 * append starts on a fresh line. Reads only the tail it needs.
 */
export function dropTornLine(path: string): void {
  const size = sizeOf(path);
  if (size <= 0) return;
  const fd = openSync(path, 'r+');
  try {
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const read = readSync(fd, chunk, 0, end - start, start);
      const last = chunk.subarray(0, read).lastIndexOf(0x0a);
      if (last !== -1) {
        if (start + last + 1 !== size) ftruncateSync(fd, start + last + 1);
        return;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}
