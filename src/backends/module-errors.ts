import { BackendError } from './errors.js';

/** The evaluation module loaded but lacks an export a job needs (reported like a module that does not load). */
export class ModuleExportError extends BackendError {}
