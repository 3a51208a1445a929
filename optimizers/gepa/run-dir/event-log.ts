import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { GEPAEvent } from '../events.js';
import { dropTornLine } from './files.js';

/** Version of the event lines in events.jsonl (the `v` field); see docs/run-dir.md. */
export const EVENT_SCHEMA_VERSION = 1;

/** events.jsonl: one line per engine event, appended through one open descriptor and synced with the journal. */
export class EventLog {
  private fd: number | undefined;

  constructor(readonly path: string) {
    dropTornLine(path);
    this.fd = openSync(path, 'a');
  }

  append(event: GEPAEvent): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify({ v: EVENT_SCHEMA_VERSION, time: new Date().toISOString(), ...event })}\n`);
  }

  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
