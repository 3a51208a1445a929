export { EVENT_SCHEMA_VERSION } from './event-log.js';
export { type RunDirEvent, type RunDirEventOf, runDirEventSchema } from './event-schema.js';
export { EVENTS_FILE, JOURNAL_FILE, STATE_FILE } from './files.js';
export { readRunDir } from './read.js';
export type { CandidateOrigin, CandidateView, IterationView, MinibatchView, RunDirView } from './view.js';
