import { z } from 'zod';

/** Version of the job format; a worker refuses jobs of another version instead of misreading them. */
export const JOB_PROTOCOL = 1;

export const jobDataSchema = z.object({
  v: z.literal(JOB_PROTOCOL),
  kind: z.string(),
  /** Absolute path of the evaluation module on the coordinator (workers may override it with --module). */
  module: z.string(),
  payload: z.unknown(),
});

export type JobData = z.infer<typeof jobDataSchema>;

/** What a worker returns for a job: the handler's value, who computed it and how long it took. */
export const jobReturnSchema = z.object({ workerId: z.string(), value: z.unknown(), ms: z.number() });
export type JobReturn = z.infer<typeof jobReturnSchema>;

/** Prefix of a job's failure reason when the worker could not load the module (followed by JSON). */
export const MODULE_ERROR_MARK = 'WorkerModuleError ';

export const moduleErrorSchema = z.object({
  workerId: z.string(),
  module: z.string(),
  message: z.string(),
  time: z.number(),
});
export type ModuleErrorReport = z.infer<typeof moduleErrorSchema>;

/** Redis hash where workers that cannot load the module report it (field: worker id), for coordinators to read. */
export function moduleErrorKey(prefix: string, queue: string): string {
  return `${prefix}:${queue}:tsdspy-module-errors`;
}

/** Reports older than this are ignored: they belong to a worker that was fixed or to an earlier run. */
export const MODULE_ERROR_TTL_SECONDS = 120;
