export { workerJobHandlers } from './handlers.js';
export type { GEPAJobPayload, GEPAJobValue, RemoteMode } from './job.js';
export { GEPA_JOB } from './job.js';
export { RemoteAdapter, type RemoteAdapterOptions } from './remote-adapter.js';
export type { RemoteProgramTrajectory } from './remote-adapters.js';
