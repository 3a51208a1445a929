export * from './adapter.js';
export * from './chat.js';
export * from './coerce.js';
export * from './errors.js';
export * from './json.js';
export * from './prompt-schema.js';
export * from './render.js';
