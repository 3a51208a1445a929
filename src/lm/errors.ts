import { TsdspyError } from '../errors/index.js';

/** A provider answered with an error. Keeps the provider's own message and HTTP status. */
export class ProviderError extends TsdspyError {
  constructor(
    message: string,
    readonly provider: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** 401/403: the API key is missing, wrong, or lacks access. */
export class AuthenticationError extends ProviderError {}

/** 429 after every retry was spent. */
export class RateLimitError extends ProviderError {}

/** The prompt does not fit the model's context window. Modules like ReAct catch it and shorten their input. */
export class ContextWindowExceededError extends ProviderError {}

/** No response within `timeoutMs` (after retries). */
export class LMTimeoutError extends ProviderError {}

/** A remote provider was called without an API key. */
export class MissingApiKeyError extends TsdspyError {
  constructor(
    readonly provider: string,
    readonly variable: string,
  ) {
    super(`No API key for ${provider}. Set the ${variable} environment variable, or pass { apiKey } to new LM(...).`);
  }
}
