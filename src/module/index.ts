export * from './call-context.js';
export * from './module.js';
export * from './predict.js';
export * from './state.js';
export { isPlainObject } from './walk.js';
