/** What a worker-side handler gets for one job. */
export interface JobContext {
  /** The evaluation module's exports (`evaluator`, `program`, `metric`, `adapter`, …). */
  module: Record<string, unknown>;
  modulePath: string;
  payload: unknown;
  workerId: string;
  jobId: string;
}

/** Runs one job kind on a worker; the returned value must be plain JSON. */
export type JobHandler = (context: JobContext) => Promise<unknown>;

export type JobHandlers = Readonly<Record<string, JobHandler>>;
