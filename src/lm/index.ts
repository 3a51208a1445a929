export { defaultCacheDir } from './cache.js';
export * from './errors.js';
export * from './lenient-json.js';
export * from './lm.js';
export * from './prices.js';
export * from './providers/index.js';
export * from './registry.js';
export * from './scripted.js';
export * from './types.js';
