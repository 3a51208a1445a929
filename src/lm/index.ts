export * from './scripted.js';
export * from './types.js';
