import { AsyncLocalStorage } from 'node:async_hooks';

/** Names of the predictors of the outermost module being called, so each predictor can label its trace entries. */
const namingScope = new AsyncLocalStorage<ReadonlyMap<object, string>>();

export function runInNamingScope<T>(names: () => ReadonlyMap<object, string>, fn: () => Promise<T>): Promise<T> {
  if (namingScope.getStore()) return fn();
  return namingScope.run(names(), fn);
}

/** The dotted name of a predictor within the outermost running program; `self` when called on its own. */
export function predictorNameInScope(predictor: object): string {
  return namingScope.getStore()?.get(predictor) ?? 'self';
}
