export * from './errors.js';
export * from './registry.js';
export * from './scripted.js';
export * from './types.js';
