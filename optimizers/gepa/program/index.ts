export * from './adapter.js';
export * from './auto-budget.js';
export * from './gepa.js';
export * from './prompts.js';
export { PROGRAM_FILE, programStateWithTexts, readSeedProgram } from './saved-program.js';
