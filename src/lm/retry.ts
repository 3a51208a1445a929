import { AuthenticationError, ContextWindowExceededError, LMTimeoutError, ProviderError, RateLimitError } from './errors.js';

/** How a failed provider call should be handled. */
export interface FailureClass {
  retryable: boolean;
  status?: number;
  /** Server-requested wait from `retry-after-ms` / `retry-after`. */
  retryAfterMs?: number;
  kind: 'auth' | 'context' | 'rate' | 'timeout' | 'abort' | 'network' | 'server' | 'client';
  message: string;
}

const CONTEXT_OVERFLOW =
  /context length|context_length_exceeded|maximum context|prompt is too long|too many tokens|context window/i;

function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function retryAfterMs(headers: unknown): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && header(headers, 'retry-after-ms') !== undefined) return ms;
  const after = header(headers, 'retry-after');
  if (after === undefined) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Classifies an SDK error (both SDKs expose `status` and `headers` on API errors). */
export function classify(error: unknown): FailureClass {
  const e = error as { status?: number; headers?: unknown; name?: string; message?: string; constructor?: { name?: string } };
  const name = e?.constructor?.name ?? e?.name ?? '';
  const message = e?.message ?? String(error);
  if (name === 'APIUserAbortError' || e?.name === 'AbortError') return { retryable: false, kind: 'abort', message };
  if (name === 'APIConnectionTimeoutError') return { retryable: true, kind: 'timeout', message };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  if (status === undefined) return { retryable: true, kind: 'network', message };
  const after = retryAfterMs(e.headers);
  const base = { status, message, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  if (status === 401 || status === 403) return { ...base, retryable: false, kind: 'auth' };
  if (CONTEXT_OVERFLOW.test(message) && (status === 400 || status === 413)) return { ...base, retryable: false, kind: 'context' };
  if (status === 429) return { ...base, retryable: true, kind: 'rate' };
  if (status === 408) return { ...base, retryable: true, kind: 'timeout' };
  if (status === 409 || status >= 500) return { ...base, retryable: true, kind: 'server' };
  return { ...base, retryable: false, kind: 'client' };
}

/** Exponential backoff with full jitter, capped; a server's retry-after wins when it asks for longer. */
export function backoffMs(
  attempt: number,
  failure: FailureClass,
  random: () => number = Math.random,
  baseMs = 500,
  capMs = 30_000,
): number {
  const exponential = Math.min(capMs, baseMs * 2 ** attempt);
  const jittered = exponential / 2 + random() * (exponential / 2);
  return failure.retryAfterMs !== undefined ? Math.min(capMs * 2, Math.max(failure.retryAfterMs, 0)) : jittered;
}

/** The named error for a failure that will not be retried (any more). */
export function toNamedError(failure: FailureClass, provider: string, redact: (s: string) => string, cause: unknown): Error {
  const message = `${provider}: ${redact(failure.message)}${failure.status ? ` (HTTP ${failure.status})` : ''}`;
  const options = { cause: redactError(cause, redact) };
  switch (failure.kind) {
    case 'auth':
      return new AuthenticationError(`${message}. Check the API key.`, provider, failure.status, options);
    case 'context':
      return new ContextWindowExceededError(message, provider, failure.status, options);
    case 'rate':
      return new RateLimitError(`${message}; retries exhausted.`, provider, failure.status, options);
    case 'timeout':
      return new LMTimeoutError(`${message}; timed out after retries.`, provider, failure.status, options);
    default:
      return new ProviderError(message, provider, failure.status, options);
  }
}

/** A plain copy of an SDK error with secrets removed (SDK errors may carry request headers). */
function redactError(error: unknown, redact: (s: string) => string): Error {
  const e = error as { name?: string; message?: string; status?: number };
  const copy = new Error(redact(e?.message ?? String(error)));
  copy.name = e?.name ?? 'Error';
  return copy;
}
