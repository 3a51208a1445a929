import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { logger } from '../logger/logger.js';
import { LM_CALL_CONFIG_KEYS, type LMRequest, type LMResponse } from './types.js';

/** Where the disk cache lives: `TSDSPY_CACHE_DIR`, else the user's cache directory. */
export function defaultCacheDir(): string {
  if (process.env.TSDSPY_CACHE_DIR) return process.env.TSDSPY_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tsdspy');
}

/** Options that change the answer (a timeout does not). */
const KEYED_OPTIONS = LM_CALL_CONFIG_KEYS.filter((key) => key !== 'timeoutMs');

/**
 * A stable key for a request: the endpoint (provider, model, base URL, fingerprints of the key and headers — see
 * {@link endpointIdentity}) and everything that changes the answer (messages, sampling options, response format, tools,
 * rollout id), in a fixed order, hashed. The hash keys the memory cache, the in-flight map and the disk entries, so a
 * 2 MB prompt is not held again as its key.
 */
export function cacheKey(endpoint: string, request: LMRequest): string {
  const hash = createHash('sha256');
  // Length-prefixed parts: unambiguous without building one big JSON string of the prompt.
  const part = (text: string) => hash.update(`${text.length}:`).update(text);
  part(endpoint);
  part(String(request.messages.length));
  for (const m of request.messages) {
    part(JSON.stringify([m.role, m.toolCalls ? stableStringify(m.toolCalls) : null, m.toolCallId ?? null]));
    part(m.content);
  }
  part(
    JSON.stringify([
      KEYED_OPTIONS.map((option) => request[option] ?? null),
      request.responseFormat ? stableStringify(request.responseFormat) : null,
      request.tools?.length ? stableStringify(request.tools) : null,
    ]),
  );
  return hash.digest('hex');
}

/** A short, one-way fingerprint of a secret (an API key, custom headers): enough to tell endpoints apart, never the secret. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(`tsdspy-fingerprint:${secret}`).digest('hex').slice(0, 16);
}

/**
 * Who answers a request: two LMs for the same model on different endpoints, keys or headers never share cache entries.
 * Secrets enter only as fingerprints.
 */
export function endpointIdentity(parts: {
  provider: string;
  model: string;
  baseURL?: string | undefined;
  apiKey?: string | undefined;
  headers?: Record<string, string> | undefined;
}): string {
  return JSON.stringify([
    parts.provider,
    parts.model,
    parts.baseURL ?? null,
    parts.apiKey ? fingerprint(parts.apiKey) : null,
    parts.headers && Object.keys(parts.headers).length ? fingerprint(stableStringify(parts.headers)) : null,
  ]);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const cachedResponseSchema = z.object({
  completions: z.array(z.object({ text: z.string() }).passthrough()),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), cachedTokens: z.number().optional() }).optional(),
  model: z.string().optional(),
  cost: z.number().optional(),
});

/** Approximate memory held by a response: its strings as UTF-16. */
export function responseBytes(response: LMResponse): number {
  let chars = 64;
  for (const c of response.completions) chars += c.text.length + (c.toolCalls ? JSON.stringify(c.toolCalls).length : 0);
  return chars * 2;
}

/** Default bound of the in-memory response cache (64 MiB). */
export const DEFAULT_CACHE_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * Two-level response cache: an in-memory LRU bounded in bytes in front of a directory shared by processes (atomic
 * writes). A damaged or unreadable disk entry is a miss and is rewritten; a disk that cannot be written is reported
 * once and the cache goes on in memory: the cache never fails a call.
 */
export class ResponseCache {
  private readonly memory: LRUCache<string, LMResponse>;
  private diskWarned = false;

  constructor(
    readonly dir: string | null,
    maxBytes = DEFAULT_CACHE_MEMORY_BYTES,
  ) {
    this.memory = new LRUCache({ maxSize: Math.max(1, maxBytes), sizeCalculation: (r) => Math.max(1, responseBytes(r)) });
  }

  /** Bytes held in memory (approximate). */
  get memoryBytes(): number {
    return this.memory.calculatedSize;
  }

  async get(key: string): Promise<LMResponse | undefined> {
    const hit = this.memory.get(key);
    if (hit) return hit;
    if (!this.dir) return undefined;
    let text: string;
    try {
      text = await readFile(this.path(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.warnDisk('read', error);
      return undefined;
    }
    let parsed: ReturnType<typeof cachedResponseSchema.safeParse>;
    try {
      parsed = cachedResponseSchema.safeParse(JSON.parse(text));
    } catch {
      return undefined; // damaged (e.g. truncated) entry: a miss, rewritten by the next set()
    }
    if (!parsed.success) return undefined; // a foreign or damaged entry is a miss, and gets overwritten
    const response = parsed.data as LMResponse;
    this.memory.set(key, response);
    return response;
  }

  /** Synchronous memory-only lookup, for the hot path. */
  peek(key: string): LMResponse | undefined {
    return this.memory.get(key);
  }

  async set(key: string, response: LMResponse): Promise<void> {
    this.memory.set(key, response);
    if (!this.dir) return;
    const path = this.path(key);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(tmp, JSON.stringify(response));
      await rename(tmp, path); // atomic: readers in other processes see the whole entry or none
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      this.warnDisk('write', error);
    }
  }

  private warnDisk(action: 'read' | 'write', error: unknown): void {
    if (this.diskWarned) return;
    this.diskWarned = true;
    logger.warn(
      `The LM disk cache in ${this.dir} could not ${action} an entry (${(error as Error).message}); answers are still cached in memory. Fix or remove the directory, or pass { cacheDir: null }.`,
    );
  }

  private path(key: string): string {
    return join(this.dir as string, key.slice(0, 2), `${key}.json`);
  }
}
