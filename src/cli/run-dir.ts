import { type CandidateView, type RunDirView, readRunDir } from '../../optimizers/gepa/run-dir/index.js';
import { TsdspyError } from '../errors/index.js';

/** A command-line mistake the user can fix (a bad index, an option that does not apply). */
export class CliUsageError extends TsdspyError {}

export function loadRun(dir: string): RunDirView {
  return readRunDir(dir);
}

/** Parses a candidate index given on the command line and checks the run has it. */
export function candidateAt(view: RunDirView, raw: string): CandidateView {
  const idx = Number(raw);
  const last = view.candidates.length - 1;
  if (!/^\d+$/.test(raw.trim()) || !view.candidates[idx]) {
    throw new CliUsageError(
      `No candidate "${raw}" in ${view.dir}: it has ${view.candidates.length} candidates (0–${last}). Run \`tsdspy show ${view.dir}\` to list them.`,
    );
  }
  return view.candidates[idx] as CandidateView;
}
