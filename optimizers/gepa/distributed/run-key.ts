import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { shortHash } from '../../../src/backends/transport.js';
import { candidateKey } from '../state.js';
import type { Candidate } from '../types.js';

/**
 * Prefix of a run's job ids. With a run dir it is derived from the run (dir, seed candidate, seed), so a coordinator
 * restarted on the same run dir finds the jobs it had enqueued; without one it is unique to this process.
 */
export function runKey(runDir: string | undefined, seedCandidate: Candidate, seed: number | undefined): string {
  if (!runDir) return `r${randomUUID().slice(0, 12)}`;
  return `r${shortHash(JSON.stringify([resolve(runDir), candidateKey(seedCandidate), seed ?? 0]), 12)}`;
}
