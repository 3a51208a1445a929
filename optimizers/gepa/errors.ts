import { TsdspyError } from '../../src/errors/index.js';

/** Options that cannot work together or are out of range; raised before any budget is spent. */
export class GEPAConfigError extends TsdspyError {}

/** An adapter's `evaluate` threw, or returned scores that are not one finite number per example. */
export class AdapterEvaluationError extends TsdspyError {
  constructor(
    message: string,
    readonly adapterName: string,
    readonly batchIds: readonly (string | number)[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A reflection LM call failed (after the LM's own retries). `cause` holds the LM's error. */
export class ReflectionFailedError extends TsdspyError {}

/** A proposer returned a text for a component the candidate does not have. */
export class UnknownComponentError extends TsdspyError {}

/** A run directory that belongs to another run (different seed candidate or data) or another format version. */
export class RunDirMismatchError extends TsdspyError {}

/**
 * A run dir file that cannot be used: unreadable, truncated, empty, failing its checksum, or inconsistent.
 * `file` is the path, `problem` what is wrong with it.
 */
export class RunDirCorruptError extends TsdspyError {
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(
      `Run dir file ${file} is corrupt: ${problem}. Nothing was resumed. Restore the run dir from a backup, or start over with a new runDir.`,
      options,
    );
  }
}

/** No run dir (or no GEPA state in it) at the given path. */
export class RunDirNotFoundError extends TsdspyError {}
