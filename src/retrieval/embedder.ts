import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { z } from 'zod';
import { defaultCacheDir } from '../lm/cache.js';
import { httpFetch } from '../lm/http-fetch.js';
import { getProvider, registeredProviders } from '../lm/providers/provider.js';
import { backoffMs, classify, toNamedError } from '../lm/retry.js';
import { EmbeddingCache } from './embedding-cache.js';
import { EmbedderError } from './errors.js';

/** A local embedding function: one vector per text, in order. */
export type EmbedFunction = (texts: string[]) => Promise<ArrayLike<number>[]> | ArrayLike<number>[];

export interface EmbedderOptions {
  /** Overrides the provider's key variable (e.g. OPENAI_API_KEY). Never cached or logged; only its hash keys the cache. */
  apiKey?: string;
  baseURL?: string;
  headers?: Record<string, string>;
  /** Output size for models that can shorten their vectors (OpenAI text-embedding-3-*). */
  dimensions?: number;
  /** Texts per request (default 100). */
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  maxConcurrency?: number;
  /** Cache vectors per text in memory and on disk (default true for provider models; local functions are not cached). */
  cache?: boolean;
  /** Disk cache directory (default `<TSDSPY_CACHE_DIR>/embeddings`); null keeps the cache in memory. */
  cacheDir?: string | null;
  /** Retries after the first attempt for 408/409/429/5xx and network errors (default 3). */
  numRetries?: number;
  /** First backoff step in ms (default 500). */
  retryBaseMs?: number;
}

const optionsSchema = z
  .object({
    apiKey: z.string().optional(),
    baseURL: z.string().url().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    dimensions: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().optional(),
    maxConcurrency: z.number().int().positive().optional(),
    cache: z.boolean().optional(),
    cacheDir: z.string().nullable().optional(),
    numRetries: z.number().int().nonnegative().optional(),
    retryBaseMs: z.number().nonnegative().optional(),
  })
  .strict();

/** Token use and requests of one embedder; cache hits cost nothing. */
export interface EmbedderUsage {
  requests: number;
  inputTokens: number;
  /** Texts answered from the cache. */
  cachedTexts: number;
}

interface EmbeddingClient {
  embed(texts: string[], signal?: AbortSignal): Promise<{ vectors: number[][]; inputTokens: number }>;
}

const LOCAL_HOST = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/;

/**
 * Turns texts into vectors: `new Embedder('openai/text-embedding-3-small')` over the openai SDK (any OpenAI-compatible
 * server: `ollama/…`, or `openai/…` with a `baseURL`), or `new Embedder(async (texts) => vectors)` for a local
 * function. Batches, retries, caches per text, and counts tokens.
 */
export class Embedder {
  /** `provider/model`, or undefined for a local function. */
  readonly model: string | undefined;
  readonly options: Readonly<EmbedderOptions>;
  private readonly fn: EmbedFunction | undefined;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly cache: EmbeddingCache | null;
  private client?: Promise<EmbeddingClient>;
  private scope = '';
  private readonly totals: EmbedderUsage = { requests: 0, inputTokens: 0, cachedTexts: 0 };

  constructor(model: string | EmbedFunction, options: EmbedderOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new EmbedderError(`Invalid Embedder options: ${z.prettifyError(parsed.error)}`);
    this.options = options;
    if (typeof model === 'function') {
      this.fn = model;
      this.model = undefined;
      this.cache = null;
    } else {
      const slash = model.indexOf('/');
      const provider = slash > 0 ? getProvider(model.slice(0, slash)) : undefined;
      if (!provider || slash === model.length - 1) {
        throw new EmbedderError(
          `No provider for embedder "${model}". Write "provider/model" (registered: ${registeredProviders().join(', ')}), or pass a function (texts) => vectors.`,
        );
      }
      if (provider.name === 'anthropic') {
        throw new EmbedderError(
          'Anthropic has no embeddings API. Use an OpenAI-compatible embedding model (e.g. "openai/text-embedding-3-small") or a local function.',
        );
      }
      this.model = model;
      this.fn = undefined;
      this.cache =
        options.cache === false
          ? null
          : new EmbeddingCache(options.cacheDir === undefined ? join(defaultCacheDir(), 'embeddings') : options.cacheDir);
    }
    this.limit = pLimit(options.maxConcurrency ?? 4);
  }

  get usage(): Readonly<EmbedderUsage> {
    return { ...this.totals };
  }

  /** One vector per text, in order. Duplicate texts are embedded once. */
  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    for (const [i, text] of texts.entries()) {
      if (typeof text !== 'string') throw new EmbedderError(`embed() takes strings; item ${i} is ${typeof text}`);
    }
    const unique = [...new Set(texts)];
    const found = new Map<string, Float32Array>();
    if (this.cache) {
      await this.ensureClient();
      await Promise.all(
        unique.map(async (text) => {
          const hit = await this.cache?.get(EmbeddingCache.key(this.scope, text), this.options.dimensions);
          if (hit) found.set(text, hit);
        }),
      );
      this.totals.cachedTexts += texts.filter((t) => found.has(t)).length;
    }
    const missing = unique.filter((t) => !found.has(t));
    const size = this.options.batchSize ?? 100;
    const batches: string[][] = [];
    for (let i = 0; i < missing.length; i += size) batches.push(missing.slice(i, i + size));
    await Promise.all(
      batches.map((batch) =>
        this.limit(async () => {
          const vectors = await this.embedBatch(batch, options.signal);
          for (const [i, text] of batch.entries()) found.set(text, vectors[i] as Float32Array);
          if (this.cache) {
            await Promise.all(
              batch.map((text, i) => this.cache?.set(EmbeddingCache.key(this.scope, text), vectors[i] as Float32Array)),
            );
          }
        }),
      ),
    );
    return texts.map((t) => found.get(t) as Float32Array);
  }

  async embedOne(text: string, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    return (await this.embed([text], options))[0] as Float32Array;
  }

  /** Keeps keys out of JSON and console output. */
  toJSON(): { model: string | undefined; dimensions?: number } {
    return { model: this.model, ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}) };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Embedder { model: ${this.model ? `'${this.model}'` : '[function]'} }`;
  }

  private async embedBatch(batch: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const raw = this.fn ? await this.fn([...batch]) : await this.callProvider(batch, signal);
    if (!Array.isArray(raw) || raw.length !== batch.length) {
      throw new EmbedderError(
        `The embedder returned ${Array.isArray(raw) ? raw.length : 'no list of'} vectors for ${batch.length} texts. An embedding function must return one vector per text, in order.`,
      );
    }
    const vectors = raw.map((v, i) => toVector(v, i));
    const dims = this.options.dimensions ?? vectors[0]?.length;
    const bad = vectors.findIndex((v) => v.length !== dims);
    if (bad !== -1) {
      throw new EmbedderError(`Vector ${bad} has ${vectors[bad]?.length} dimensions, expected ${dims}.`);
    }
    return vectors;
  }

  private async callProvider(batch: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const client = await this.ensureClient();
    const retries = this.options.numRetries ?? 3;
    const provider = (this.model as string).split('/')[0] as string;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        const { vectors, inputTokens } = await client.embed(batch, signal);
        this.totals.requests++;
        this.totals.inputTokens += inputTokens;
        return vectors;
      } catch (error) {
        if (error instanceof EmbedderError) throw error;
        const failure = classify(error);
        if (failure.kind === 'abort' || signal?.aborted) throw signal?.reason ?? error;
        if (!failure.retryable || attempt >= retries) throw toNamedError(failure, provider, (s) => this.redact(s), error);
        await new Promise((r) => setTimeout(r, backoffMs(attempt, failure, Math.random, this.options.retryBaseMs ?? 500)));
      }
    }
  }

  /** Resolves endpoint and key, and builds the SDK client once (the SDK is loaded only now). */
  private ensureClient(): Promise<EmbeddingClient> {
    this.client ??= this.buildClient();
    return this.client;
  }

  private apiKey = '';

  private async buildClient(): Promise<EmbeddingClient> {
    const model = this.model as string;
    const slash = model.indexOf('/');
    const provider = getProvider(model.slice(0, slash));
    if (!provider) throw new EmbedderError(`No provider for embedder "${model}"`);
    const modelName = model.slice(slash + 1);
    const baseURL =
      this.options.baseURL ?? (provider.baseURLEnv ? process.env[provider.baseURLEnv] : undefined) ?? provider.defaultBaseURL;
    const key = this.options.apiKey ?? (provider.apiKeyEnv ? process.env[provider.apiKeyEnv] : undefined);
    const local = baseURL !== undefined && LOCAL_HOST.test(baseURL);
    if (!key && provider.apiKeyEnv && !local) {
      throw new EmbedderError(
        `No API key for ${provider.name} embeddings. Set ${provider.apiKeyEnv}, or pass { apiKey } to new Embedder(...).`,
      );
    }
    this.apiKey = key ?? 'no-key';
    this.scope = JSON.stringify([
      'embeddings/v1',
      model,
      baseURL ?? null,
      fingerprint(this.apiKey),
      this.options.headers ? fingerprint(JSON.stringify(Object.entries(this.options.headers).sort())) : null,
      this.options.dimensions ?? null,
    ]);
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({
      apiKey: this.apiKey,
      ...(baseURL ? { baseURL } : {}),
      ...(this.options.headers ? { defaultHeaders: this.options.headers } : {}),
      maxRetries: 0,
      fetch: httpFetch,
    });
    const dimensions = this.options.dimensions;
    return {
      async embed(texts, signal) {
        const response = await client.embeddings.create(
          { model: modelName, input: texts, encoding_format: 'float', ...(dimensions ? { dimensions } : {}) },
          signal ? { signal } : {},
        );
        const parsed = embeddingsResponseSchema.safeParse(response);
        if (!parsed.success) {
          throw new EmbedderError(`The embeddings endpoint sent an unreadable reply: ${z.prettifyError(parsed.error)}`);
        }
        const ordered = [...parsed.data.data].sort((a, b) => a.index - b.index);
        return { vectors: ordered.map((d) => d.embedding), inputTokens: parsed.data.usage?.prompt_tokens ?? 0 };
      },
    };
  }

  private redact(text: string): string {
    return this.apiKey.length >= 8 ? text.split(this.apiKey).join('[redacted]') : text;
  }
}

const embeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number() }).partial().optional(),
});

function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

function toVector(value: ArrayLike<number>, index: number): Float32Array {
  if (!value || typeof value.length !== 'number') throw new EmbedderError(`Vector ${index} is not an array of numbers.`);
  const vector = value instanceof Float32Array ? value : Float32Array.from(value);
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) throw new EmbedderError(`Vector ${index} has a non-finite value at position ${i}.`);
  }
  if (vector.length === 0) throw new EmbedderError(`Vector ${index} is empty.`);
  return vector;
}
