export * from './adapter.js';
export { PROGRAM_API_REFERENCE } from './api-reference.js';
export * from './program-source.js';
