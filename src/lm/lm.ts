import pLimit from 'p-limit';
import { TsdspyError } from '../errors/index.js';
import { cacheKey, DEFAULT_CACHE_MEMORY_BYTES, defaultCacheDir, endpointIdentity, ResponseCache } from './cache.js';
import { MissingApiKeyError } from './errors.js';
import { validateLMOptions } from './options-schema.js';
import { costOf } from './prices.js';
import { getProvider, type Provider, type ProviderClient, registeredProviders } from './providers/provider.js';
import { backoffMs, classify, toNamedError } from './retry.js';
import {
  type LanguageModel,
  LM_CALL_CONFIG_KEYS,
  type LMCallConfig,
  type LMCapabilities,
  type LMRequest,
  type LMResponse,
  type Message,
  type Usage,
} from './types.js';

export class UnknownProviderError extends TsdspyError {}

export interface LMOptions extends LMCallConfig {
  /** Overrides the provider's environment variable (e.g. OPENAI_API_KEY). Never stored in history or caches. */
  apiKey?: string;
  baseURL?: string;
  headers?: Record<string, string>;
  /** Retries after the first attempt for 408/409/429/5xx and network errors (default 3). */
  numRetries?: number;
  /** First backoff step in ms (default 500); doubles per attempt, with jitter. */
  retryBaseMs?: number;
  /** Calls in flight at once for this LM, across all callers (default 8). */
  maxConcurrency?: number;
  /** Response cache (memory + disk); false turns it off (default true). */
  cache?: boolean;
  /** Disk cache directory (default `TSDSPY_CACHE_DIR` or the user's cache dir); null keeps the cache in memory. */
  cacheDir?: string | null;
  /** Entries kept in `history` (default 100). */
  historySize?: number;
  /** Bound of `history` in bytes (approximate, strings as UTF-16; default 16 MiB): the oldest entries go first. */
  historyMaxBytes?: number;
  /** Bound of the in-memory response cache in bytes (approximate; default 64 MiB). */
  cacheMaxBytes?: number;
}

/** Default bound of `lm.history` in bytes (16 MiB). */
export const DEFAULT_HISTORY_BYTES = 16 * 1024 * 1024;

/** One call as remembered by `lm.history`. */
export interface HistoryEntry {
  timestamp: string;
  model: string;
  messages: Message[];
  config: LMCallConfig;
  response?: LMResponse;
  error?: string;
  usage?: Usage;
  /** USD; undefined when the model's price is unknown. */
  cost?: number;
  /** Served from the cache or coalesced with an identical in-flight call: no tokens spent. */
  cached: boolean;
  durationMs: number;
}

const LOCAL_HOST = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/;

/**
 * A language model behind a provider SDK: `new LM('openai/gpt-4.1-mini')`, `new LM('anthropic/claude-sonnet-4-5')`,
 * `new LM('ollama/llama3.1')`, or any OpenAI-compatible server with `{ baseURL }`. Adds caching, retries with
 * backoff, a concurrency limit, usage and cost tracking, and a bounded history.
 */
export class LM implements LanguageModel {
  readonly model: string;
  readonly provider: string;
  readonly modelName: string;
  readonly capabilities: LMCapabilities;
  readonly defaults: LMCallConfig;
  private readonly providerModule: Provider;
  // Secrets (the key in the options, the SDK client that holds it) live in ES private fields: util.inspect,
  // console.log, spreading and Object.entries never see them.
  readonly #options: LMOptions;
  #client?: ProviderClient;
  #apiKey = '';
  #endpoint?: { baseURL: string | undefined; key: string | undefined; identity: string };
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly cache: ResponseCache | null;
  private readonly inFlight = new Map<string, Promise<LMResponse>>();
  private readonly entries: HistoryEntry[] = [];
  private readonly entryBytes: number[] = [];
  private historyBytes = 0;
  private readonly totals = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  private spent = 0;
  private costKnown = true;

  constructor(model: string, options: LMOptions = {}) {
    validateLMOptions(model, options);
    const slash = model.indexOf('/');
    this.provider = slash === -1 ? '' : model.slice(0, slash);
    this.modelName = model.slice(slash + 1);
    const provider = getProvider(this.provider);
    if (!provider || !this.modelName) {
      throw new UnknownProviderError(
        `No provider "${this.provider}" for LM "${model}". Write names as "provider/model"; registered providers: ${registeredProviders().join(', ') || '(none)'}. Register one with registerProvider(prefix, provider).`,
      );
    }
    this.model = model;
    this.providerModule = provider;
    this.#options = options;
    this.capabilities = provider.capabilities;
    this.defaults = Object.fromEntries(
      LM_CALL_CONFIG_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
    ) as LMCallConfig;
    this.limit = pLimit(options.maxConcurrency ?? 8);
    this.cache =
      options.cache === false
        ? null
        : new ResponseCache(
            options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir,
            options.cacheMaxBytes ?? DEFAULT_CACHE_MEMORY_BYTES,
          );
  }

  /** Token totals over every call that reached the provider (cache hits add nothing). */
  get usage(): Readonly<{ inputTokens: number; outputTokens: number; cachedTokens: number }> {
    return { ...this.totals };
  }

  /** USD spent, or undefined when a call's model price is unknown. */
  get cost(): number | undefined {
    return this.costKnown ? this.spent : undefined;
  }

  get history(): readonly HistoryEntry[] {
    return this.entries;
  }

  /** A new LM with the same provider settings and different defaults (caches are not shared). */
  copy(overrides: LMOptions = {}): LM {
    return new LM(this.model, { ...this.#options, ...overrides });
  }

  async call(request: LMRequest): Promise<LMResponse> {
    const merged: LMRequest = { ...this.defaults, ...request };
    const started = performance.now();
    if (!this.cache) return this.fetch(merged, started);
    const key = cacheKey(this.endpoint().identity, merged);
    const hit = this.cache.peek(key) ?? (await this.cache.get(key));
    if (hit) return this.remember(merged, { ...hit, cached: true }, started, true);
    const pending = this.inFlight.get(key);
    if (pending) return this.remember(merged, { ...(await pending), cached: true }, started, true);
    const fresh = this.fetch(merged, started);
    this.inFlight.set(key, fresh);
    try {
      const response = await fresh;
      await this.cache.set(key, stripCached(response));
      return response;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Pretty-prints the last `n` calls (and returns the text). */
  inspectHistory(n = 1): string {
    const text = this.entries
      .slice(-n)
      .map((e) => {
        const head = `[${e.timestamp}] ${e.model}${e.cached ? ' (cached)' : ''} ${Math.round(e.durationMs)} ms${
          e.usage ? ` · ${e.usage.inputTokens} in / ${e.usage.outputTokens} out` : ''
        }${e.cost !== undefined ? ` · $${e.cost.toFixed(6)}` : ''}`;
        const messages = e.messages.map((m) => `${m.role.toUpperCase()}:\n${m.content}`).join('\n\n');
        const reply = e.error
          ? `ERROR: ${e.error}`
          : (e.response?.completions ?? [])
              .map((c, i) => `RESPONSE${e.response && e.response.completions.length > 1 ? ` ${i + 1}` : ''}:\n${c.text}`)
              .join('\n\n');
        return `${head}\n\n${messages}\n\n${reply}`;
      })
      .join(`\n\n${'─'.repeat(60)}\n\n`);
    console.log(text);
    return text;
  }

  private async fetch(request: LMRequest, started: number): Promise<LMResponse> {
    const client = this.getClient();
    const retries = this.#options.numRetries ?? 3;
    return this.limit(async () => {
      for (let attempt = 0; ; attempt++) {
        request.signal?.throwIfAborted();
        try {
          const context = {
            ...(request.signal ? { signal: request.signal } : {}),
            ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
          };
          const response = await client.complete(this.modelName, request, context);
          return this.remember(request, this.withCost(response), started, false);
        } catch (error) {
          const failure = classify(error);
          if (failure.kind === 'abort' || request.signal?.aborted) throw request.signal?.reason ?? error;
          if (!failure.retryable || attempt >= retries) {
            const named = toNamedError(failure, this.provider, (s) => this.redact(s), error);
            this.record(request, { error: named.message, cached: false, durationMs: performance.now() - started });
            throw named;
          }
          await sleep(backoffMs(attempt, failure, Math.random, this.#options.retryBaseMs ?? 500), request.signal);
        }
      }
    });
  }

  private withCost(response: LMResponse): LMResponse {
    if (!response.usage) return response;
    const cost = this.providerModule.free ? 0 : costOf(this.modelName, response.usage);
    return cost === undefined ? response : { ...response, cost };
  }

  private remember(request: LMRequest, response: LMResponse, started: number, cached: boolean): LMResponse {
    if (!cached && response.usage) {
      this.totals.inputTokens += response.usage.inputTokens;
      this.totals.outputTokens += response.usage.outputTokens;
      this.totals.cachedTokens += response.usage.cachedTokens ?? 0;
      if (response.cost === undefined) this.costKnown = false;
      else this.spent += response.cost;
    }
    this.record(request, {
      response,
      ...(response.usage ? { usage: response.usage } : {}),
      ...(response.cost !== undefined ? { cost: cached ? 0 : response.cost } : {}),
      cached,
      durationMs: performance.now() - started,
    });
    return response;
  }

  private record(request: LMRequest, fields: Omit<HistoryEntry, 'timestamp' | 'model' | 'messages' | 'config'>): void {
    const { messages, signal: _signal, ...config } = request;
    const entry: HistoryEntry = { timestamp: new Date().toISOString(), model: this.model, messages, config, ...fields };
    const bytes = historyEntryBytes(entry);
    this.entries.push(entry);
    this.entryBytes.push(bytes);
    this.historyBytes += bytes;
    const maxEntries = this.#options.historySize ?? 100;
    const maxBytes = this.#options.historyMaxBytes ?? DEFAULT_HISTORY_BYTES;
    // Oldest first; the newest entry stays even when it alone is over the byte bound.
    while (this.entries.length > 1 && (this.entries.length > maxEntries || this.historyBytes > maxBytes)) {
      this.entries.shift();
      this.historyBytes -= this.entryBytes.shift() ?? 0;
    }
    if (this.entries.length > maxEntries) {
      this.entries.length = 0;
      this.entryBytes.length = 0;
      this.historyBytes = 0;
    }
  }

  /** Base URL and key as the client will use them (resolved once), and the endpoint identity the cache is keyed by. */
  private endpoint(): { baseURL: string | undefined; key: string | undefined; identity: string } {
    if (this.#endpoint) return this.#endpoint;
    const provider = this.providerModule;
    const baseURL =
      this.#options.baseURL ?? (provider.baseURLEnv ? process.env[provider.baseURLEnv] : undefined) ?? provider.defaultBaseURL;
    const key = this.#options.apiKey ?? (provider.apiKeyEnv ? process.env[provider.apiKeyEnv] : undefined);
    const identity = endpointIdentity({
      provider: this.provider,
      model: this.modelName,
      baseURL,
      apiKey: key,
      headers: this.#options.headers,
    });
    this.#endpoint = { baseURL, key, identity };
    return this.#endpoint;
  }

  /** Builds the SDK client at the first call, so a missing key fails there and not at import. */
  private getClient(): ProviderClient {
    if (this.#client) return this.#client;
    const provider = this.providerModule;
    const { baseURL, key } = this.endpoint();
    const local = baseURL !== undefined && LOCAL_HOST.test(baseURL);
    if (!key && provider.apiKeyEnv && !local) throw new MissingApiKeyError(provider.name, provider.apiKeyEnv);
    this.#apiKey = key ?? 'no-key';
    this.#client = provider.createClient({
      apiKey: this.#apiKey,
      ...(baseURL ? { baseURL } : {}),
      ...(this.#options.headers ? { headers: this.#options.headers } : {}),
    });
    return this.#client;
  }

  private redact(text: string): string {
    return this.#apiKey.length >= 8 ? text.split(this.#apiKey).join('[redacted]') : text;
  }

  /** Keeps keys out of `JSON.stringify(lm)` and console output. */
  toJSON(): { model: string; defaults: LMCallConfig } {
    return { model: this.model, defaults: this.defaults };
  }

  /** What `util.inspect` / `console.log` show: the model and defaults, the endpoint, never the key or headers' values. */
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    const baseURL = this.#options.baseURL;
    return Object.assign(Object.create(LMView.prototype) as LMView, {
      model: this.model,
      defaults: this.defaults,
      ...(baseURL ? { baseURL } : {}),
      ...(this.#options.apiKey ? { apiKey: '[redacted]' } : {}),
      ...(this.#options.headers
        ? { headers: Object.fromEntries(Object.keys(this.#options.headers).map((h) => [h, '[redacted]'])) }
        : {}),
      historyEntries: this.entries.length,
    });
  }
}

/** The redacted view util.inspect shows (its class is named LM, so the output reads `LM { model: … }`). */
const LMView = class LM {};
type LMView = InstanceType<typeof LMView>;

/** Approximate memory held by a history entry: its strings as UTF-16. */
function historyEntryBytes(entry: HistoryEntry): number {
  let chars = 200;
  for (const m of entry.messages) chars += m.content.length + (m.toolCalls ? JSON.stringify(m.toolCalls).length : 0);
  for (const c of entry.response?.completions ?? []) chars += c.text.length;
  chars += entry.error?.length ?? 0;
  return chars * 2;
}

function stripCached(response: LMResponse): LMResponse {
  const { cached: _cached, ...rest } = response;
  return rest;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
