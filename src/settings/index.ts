export * from './callbacks.js';
export * from './settings.js';
