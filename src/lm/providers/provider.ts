import type { LMCapabilities, LMRequest, LMResponse } from '../types.js';

/** Connection settings for one provider client. */
export interface ProviderConfig {
  apiKey: string;
  baseURL?: string;
  headers?: Record<string, string>;
}

export interface ProviderCallContext {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A provider's SDK client, wrapped: one request in, one normalised response out. Retries are the LM's job. */
export interface ProviderClient {
  complete(model: string, request: LMRequest, context: ProviderCallContext): Promise<LMResponse>;
}

/**
 * A provider module: how to reach it and how to build a client. Register your own with
 * `registerProvider(prefix, provider)`; then `new LM('<prefix>/<model>')` uses it.
 */
export interface Provider {
  readonly name: string;
  /** Environment variable holding the API key; undefined for servers that need none (e.g. Ollama). */
  readonly apiKeyEnv?: string;
  /** Environment variable overriding the base URL. */
  readonly baseURLEnv?: string;
  readonly defaultBaseURL?: string;
  readonly capabilities: LMCapabilities;
  /** Local servers: calls cost nothing (cost is 0, not unknown). */
  readonly free?: boolean;
  createClient(config: ProviderConfig): ProviderClient;
}

const providers = new Map<string, Provider>();

export function registerProvider(prefix: string, provider: Provider): void {
  providers.set(prefix, provider);
}

export function getProvider(prefix: string): Provider | undefined {
  return providers.get(prefix);
}

export function registeredProviders(): string[] {
  return [...providers.keys()];
}
