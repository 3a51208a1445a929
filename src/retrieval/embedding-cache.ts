import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';

/**
 * Embedding vectors cached per text, in memory (bounded in bytes) and optionally on disk next to the LM response cache.
 * Keys are hashes of (model, endpoint, key fingerprint, dimensions, text), so two endpoints never share entries and
 * no key or text is written in clear. A damaged disk entry is a miss and is rewritten.
 */
export class EmbeddingCache {
  private readonly memory: LRUCache<string, Float32Array>;

  constructor(
    readonly dir: string | null,
    maxBytes = 64 * 1024 * 1024,
  ) {
    this.memory = new LRUCache({ maxSize: maxBytes, sizeCalculation: (v) => Math.max(1, v.byteLength) });
  }

  static key(scope: string, text: string): string {
    return createHash('sha256').update(scope).update('\u0000').update(text).digest('hex');
  }

  async get(key: string, dimensions: number | undefined): Promise<Float32Array | undefined> {
    const hit = this.memory.get(key);
    if (hit) return hit;
    if (!this.dir) return undefined;
    try {
      const bytes = await readFile(this.path(key));
      if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) return undefined;
      const vector = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      if (dimensions !== undefined && vector.length !== dimensions) return undefined;
      if (!vector.every(Number.isFinite)) return undefined;
      this.memory.set(key, vector);
      return vector;
    } catch {
      return undefined; // no entry yet
    }
  }

  async set(key: string, vector: Float32Array): Promise<void> {
    this.memory.set(key, vector);
    if (!this.dir) return;
    const path = this.path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
    await rename(tmp, path);
  }

  private path(key: string): string {
    return join(this.dir as string, key.slice(0, 2), `${key}.f32`);
  }
}
