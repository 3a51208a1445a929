/** One unit of work for a worker: `kind` picks the worker-side handler, `payload` is plain JSON. */
export interface BackendJob {
  /** Stable id: the same job submitted again (e.g. by a resumed coordinator) is not run twice. */
  id: string;
  kind: string;
  payload: unknown;
}

/** A job's result as the worker returned it. */
export interface BackendResult {
  value: unknown;
  workerId: string;
  /** Time the handler took on the worker. */
  ms: number;
}

/**
 * Runs evaluation jobs somewhere else (worker processes on any machine). `optimizeAnything`, `optimize`,
 * `GEPA.compile` and `Evaluate` accept one as `backend`; `redisBackend` is the implementation.
 */
export interface EvaluationBackend {
  readonly kind: string;
  /** The evaluation module every worker loads (absolute path). */
  readonly module: string;
  /** Runs the jobs (at most the backend's concurrency at once) and returns their results in job order. */
  run(jobs: readonly BackendJob[], onResult?: (index: number, result: BackendResult) => void): Promise<BackendResult[]>;
  /** Connects; calls nest (each `open` needs one `close`). */
  open(): Promise<void>;
  /** Releases the connections when the last user closes; the backend can be opened again later. */
  close(): Promise<void>;
}

/** Runs `fn` with the backend open, and closes it whatever happens. */
export async function withBackend<T>(backend: EvaluationBackend, fn: () => Promise<T>): Promise<T> {
  await backend.open();
  try {
    return await fn();
  } finally {
    await backend.close();
  }
}

export function isEvaluationBackend(value: unknown): value is EvaluationBackend {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EvaluationBackend).run === 'function' &&
    typeof (value as EvaluationBackend).open === 'function'
  );
}
