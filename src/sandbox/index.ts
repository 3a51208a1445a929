export { ProgramBuildError, programBundleCode, runtimeBundleCode, tsdspyEntry } from './bundle.js';
export * from './isolation.js';
export * from './pool.js';
export * from './sandbox.js';
