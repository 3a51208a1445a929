import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
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
 * A stable key for a request: everything that changes the answer (model, messages, sampling options, response
 * format, tools, rollout id), in a fixed order. It is the memory cache's key; disk entries are named by its hash.
 */
export function cacheKey(model: string, request: LMRequest): string {
  return JSON.stringify([
    model,
    request.messages.map((m) => [m.role, m.content, m.toolCalls ? stableStringify(m.toolCalls) : null, m.toolCallId ?? null]),
    KEYED_OPTIONS.map((option) => request[option] ?? null),
    request.responseFormat ? stableStringify(request.responseFormat) : null,
    request.tools?.length ? stableStringify(request.tools) : null,
  ]);
}

function fileKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
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

/** Two-level response cache: an in-memory LRU in front of a directory shared by processes (atomic writes). */
export class ResponseCache {
  private readonly memory: LRUCache<string, LMResponse>;

  constructor(
    readonly dir: string | null,
    maxEntries = 10_000,
  ) {
    this.memory = new LRUCache({ max: maxEntries });
  }

  async get(key: string): Promise<LMResponse | undefined> {
    const hit = this.memory.get(key);
    if (hit) return hit;
    if (!this.dir) return undefined;
    try {
      const parsed = cachedResponseSchema.safeParse(JSON.parse(await readFile(this.path(fileKey(key)), 'utf8')));
      if (!parsed.success) return undefined; // a foreign or damaged entry is a miss, and gets overwritten
      const response = parsed.data as LMResponse;
      this.memory.set(key, response);
      return response;
    } catch {
      return undefined; // no entry yet
    }
  }

  /** Synchronous memory-only lookup, for the hot path. */
  peek(key: string): LMResponse | undefined {
    return this.memory.get(key);
  }

  async set(key: string, response: LMResponse): Promise<void> {
    this.memory.set(key, response);
    if (!this.dir) return;
    const hashed = fileKey(key);
    const path = this.path(hashed);
    await mkdir(join(this.dir, hashed.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify(response));
    await rename(tmp, path); // atomic: readers in other processes see the whole entry or none
  }

  private path(hashed: string): string {
    return join(this.dir as string, hashed.slice(0, 2), `${hashed}.json`);
  }
}
