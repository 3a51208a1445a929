import { z } from 'zod';

/** Job kind of one (candidate, example) evaluation for the GEPA engine. */
export const GEPA_JOB = 'gepa.evaluate';

/** How the worker evaluates: the module's `evaluator` (optimizeAnything), `program` + `metric` (GEPA.compile) or `adapter`. */
export type RemoteMode = 'anything' | 'program' | 'adapter';

export const gepaJobSchema = z.object({
  mode: z.enum(['anything', 'program', 'adapter']),
  candidate: z.record(z.string(), z.string()),
  example: z.unknown(),
  captureTraces: z.boolean(),
  /** Mode options: anything → evaluator settings; program → state and scoring settings. */
  options: z.record(z.string(), z.unknown()),
});

export type GEPAJobPayload = z.infer<typeof gepaJobSchema>;

/** What the worker sends back for one example. `fatal` is an error that must stop the run, as it would in-process. */
export interface GEPAJobValue {
  score: number;
  output?: unknown;
  trajectory?: unknown;
  objectives?: Record<string, number>;
  fatal?: { name: string; message: string };
}
