import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunDirNotFoundError } from '../errors.js';
import { type EngineState, validateEngineState } from '../state.js';
import { STATE_FILE } from './files.js';
import { readSnapshotJSON } from './snapshot.js';

/**
 * The committed engine state of a run dir, validated (shape and consistency), or undefined when the run dir holds
 * no state yet. Resume and `readRunDir` both read the state through here.
 */
export function loadCommittedState(runDir: string): EngineState | undefined {
  const raw = readSnapshotJSON(runDir);
  if (raw === undefined) return undefined;
  return validateEngineState(raw, join(runDir, STATE_FILE));
}

export function requireRunDir(runDir: string): void {
  if (!existsSync(runDir)) throw new RunDirNotFoundError(`No run dir at ${runDir}: the directory does not exist.`);
}
