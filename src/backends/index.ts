export { type BackendJob, type BackendResult, type EvaluationBackend, isEvaluationBackend, withBackend } from './backend.js';
export * from './errors.js';
export type { JobContext, JobHandler, JobHandlers } from './handlers.js';
export { ModuleExportError } from './module-errors.js';
export { RedisBackend, redisBackend } from './redis/backend.js';
export type { RedisBackendOptions, RedisWorkerOptions } from './redis/options.js';
export { MODULE_ERROR_EXIT_CODE, type RunningWorker, startRedisWorker } from './redis/worker.js';
