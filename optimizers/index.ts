export * from './gepa/index.js';
export * from './optimizer.js';
