export * from './gepa/index.js';
