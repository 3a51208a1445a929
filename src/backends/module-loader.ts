import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModuleExportError } from './module-errors.js';

const cache = new Map<string, Promise<Record<string, unknown>>>();

/** Imports an evaluation module once per path (ESM or CJS, and TypeScript when run under tsx). */
export function loadEvaluationModule(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  let loaded = cache.get(absolute);
  if (!loaded) {
    loaded = import(pathToFileURL(absolute).href) as Promise<Record<string, unknown>>;
    cache.set(absolute, loaded);
  }
  return loaded;
}

/** An export the job needs, or an error naming what the module must export. */
export function requireExport<T>(module: Record<string, unknown>, name: string, what: string, path: string): T {
  const value = module[name];
  if (value === undefined) {
    throw new ModuleExportError(`${path} has no export "${name}" (${what}); export it from the evaluation module`);
  }
  return value as T;
}
