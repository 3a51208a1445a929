import { TsdspyError } from '../errors/index.js';
import type { LanguageModel } from './types.js';

/** Builds an LM for `provider/model`; receives the part after the slash. */
export type ProviderFactory = (model: string) => LanguageModel;

const providers = new Map<string, ProviderFactory>();

export class UnknownProviderError extends TsdspyError {}

/** Makes `lmFromString('<prefix>/<model>')` (and every API that accepts an LM name) use `factory`. */
export function registerProvider(prefix: string, factory: ProviderFactory): void {
  providers.set(prefix, factory);
}

export function registeredProviders(): string[] {
  return [...providers.keys()];
}

/** Resolves `'provider/model'` through the provider registry. */
export function lmFromString(name: string): LanguageModel {
  const slash = name.indexOf('/');
  const prefix = slash === -1 ? '' : name.slice(0, slash);
  const factory = providers.get(prefix);
  if (!factory) {
    const known = registeredProviders();
    throw new UnknownProviderError(
      `No provider "${prefix}" for LM "${name}". Write names as "provider/model"; registered providers: ${known.length ? known.join(', ') : '(none)'}. Register one with registerProvider(prefix, factory) or pass a LanguageModel object.`,
    );
  }
  return factory(name.slice(slash + 1));
}

/** Accepts an LM object or its `provider/model` name. */
export function resolveLM(lm: LanguageModel | string): LanguageModel {
  return typeof lm === 'string' ? lmFromString(lm) : lm;
}
