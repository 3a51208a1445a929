export * from './evaluate.js';
export * from './failures.js';
export * from './metric.js';
export * from './metrics.js';
export * from './result.js';
