export * from './acceptance.js';
export * from './batch-sampler.js';
export * from './candidate-selection.js';
export * from './component-selection.js';
