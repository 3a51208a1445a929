import { TsdspyError } from '../errors/index.js';

/** Base class of the distributed backend's errors. */
export class BackendError extends TsdspyError {}

/** The optional queue packages (bullmq, ioredis) are not installed. */
export class BackendDependencyError extends BackendError {}

/** Redis cannot be reached (wrong URL, password, TLS setting, or the server is down). */
export class BackendConnectionError extends BackendError {}

/** Options given to `redisBackend` or `tsdspy worker` are not valid. */
export class BackendConfigError extends BackendError {}

/** A worker could not load the evaluation module; the coordinator stops instead of waiting for results that never come. */
export class WorkerModuleError extends BackendError {
  constructor(
    message: string,
    readonly workerId: string,
    readonly modulePath: string,
  ) {
    super(message);
  }
}

/** Jobs are waiting but no worker has been connected to the queue for the configured time. */
export class NoWorkersError extends BackendError {
  constructor(
    readonly queue: string,
    readonly waitedMs: number,
  ) {
    super(
      `No worker is processing queue "${queue}" (waited ${Math.round(waitedMs / 1000)} s with jobs pending). Start workers with \`npx tsdspy worker --url <redis url> --queue ${queue}\`, check that they reach the same Redis, and read their logs; or raise workerTimeoutMs.`,
    );
  }
}

/** A job failed for a reason outside the user's code (lost too often, worker crashed in the queue machinery, …). */
export class JobFailedError extends BackendError {
  constructor(
    message: string,
    readonly jobId: string,
  ) {
    super(message);
  }
}
