export * from './example.js';
export * from './prediction.js';
