export * from './adapter.js';
export { captureConsoleIntoLogs, oa } from './log.js';
export * from './optimize-anything.js';
