export * from './types.js';
export * from './scripted.js';
