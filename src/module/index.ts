export * from './call-context.js';
export * from './dspy-state.js';
export * from './module.js';
export * from './predict.js';
export * from './state.js';
export { cloneParameters, isPlainObject, type ParameterHolder } from './walk.js';
