export * from './chain-of-thought.js';
