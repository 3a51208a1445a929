export * from './describe-type.js';
export * from './field.js';
export * from './infer.js';
export * from './json-schema.js';
export * from './parse.js';
export * from './signature.js';
