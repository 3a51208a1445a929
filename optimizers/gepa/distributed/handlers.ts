import type { JobHandlers } from '../../../src/backends/handlers.js';
import { EVALUATE_JOB, evaluateJobHandler } from '../../../src/evaluate/remote.js';
import { GEPA_JOB } from './job.js';
import { gepaJobHandler } from './worker-handler.js';

/** Every job kind a `tsdspy worker` runs. */
export const workerJobHandlers: JobHandlers = {
  [EVALUATE_JOB]: evaluateJobHandler,
  [GEPA_JOB]: gepaJobHandler,
};
