import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Embedder } from './embedder.js';
import { RetrieverError } from './errors.js';
import { type CorpusItem, type Passage, type Retriever, type RetrieverResult, toPassage } from './retriever.js';
import { createScoreKernel, type ScoreKernel } from './score-kernel.js';
import { topK } from './top-k.js';

export interface EmbeddingsOptions {
  corpus: readonly CorpusItem[];
  embedder: Embedder;
  /** Passages per query (default 5). */
  k?: number;
}

const SAVE_FORMAT = 'tsdspy.embeddings';
const SAVE_VERSION = 1;

const metaSchema = z
  .object({
    format: z.literal(SAVE_FORMAT),
    version: z.literal(SAVE_VERSION),
    count: z.number().int().positive(),
    dimensions: z.number().int().positive(),
    model: z.string().nullable(),
    k: z.number().int().positive(),
  })
  .strict();

const passagesSchema = z.array(
  z.object({ id: z.string(), text: z.string(), metadata: z.record(z.string(), z.unknown()).optional() }).strict(),
);

/** Queries handed to the kernel at once (it scores them four per pass over the matrix). */
const BLOCK = 16;

interface PendingQuery {
  vector: Float32Array;
  k: number;
  resolve: (result: RetrieverResult) => void;
  reject: (error: unknown) => void;
}

/**
 * An exact in-memory retriever: cosine similarity over one contiguous `Float32Array` matrix of unit vectors, top-k by a
 * bounded heap. The corpus is embedded at the first call (or `index()`); `save(dir)` / `Embeddings.load(dir)` keep the
 * vectors so a corpus is embedded once. Queries that arrive together are searched in one pass over the matrix.
 */
export class Embeddings implements Retriever {
  readonly items: readonly Passage[];
  readonly embedder: Embedder;
  readonly k: number;
  private kernel: ScoreKernel | null = null;
  private dims = 0;
  private indexing: Promise<void> | null = null;
  private pending: PendingQuery[] = [];
  private flushScheduled = false;

  constructor(options: EmbeddingsOptions) {
    if (!options || !Array.isArray(options.corpus) || options.corpus.length === 0) {
      throw new RetrieverError('Embeddings needs a non-empty corpus (strings or { id, text, metadata } items).');
    }
    this.items = options.corpus.map((item, i) => {
      if (typeof item !== 'string' && (typeof item !== 'object' || item === null || typeof item.text !== 'string')) {
        throw new RetrieverError(`Corpus item ${i} is neither a string nor an object with a "text" string.`);
      }
      return toPassage(item, i);
    });
    this.embedder = options.embedder;
    this.k = options.k ?? 5;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RetrieverError('k must be a positive integer');
  }

  get size(): number {
    return this.items.length;
  }

  get dimensions(): number {
    return this.dims;
  }

  /** Embeds the corpus (once). Calls do this themselves; call it to pay the cost up front. */
  index(): Promise<void> {
    this.indexing ??= (async () => {
      const vectors = await this.embedder.embed(this.items.map((p) => p.text));
      this.setMatrix(vectors);
    })();
    this.indexing.catch(() => {
      this.indexing = null; // let a later call try again
    });
    return this.indexing;
  }

  async call(query: string, options: { k?: number; signal?: AbortSignal } = {}): Promise<RetrieverResult> {
    if (typeof query !== 'string') throw new RetrieverError(`A query must be a string, got ${typeof query}`);
    const k = options.k ?? this.k;
    if (!Number.isInteger(k) || k < 1) throw new RetrieverError('k must be a positive integer');
    await this.index();
    const vector = await this.embedder.embedOne(query, options.signal ? { signal: options.signal } : {});
    return this.searchVector(vector, k);
  }

  /** Searches with a query vector you already have. */
  searchVector(vector: Float32Array, k = this.k): Promise<RetrieverResult> {
    if (!this.kernel) return this.index().then(() => this.searchVector(vector, k));
    if (vector.length !== this.dims) {
      return Promise.reject(
        new RetrieverError(
          `The query vector has ${vector.length} dimensions; the corpus has ${this.dims}. Use the same embedder.`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ vector: normalized(vector), k, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Writes the vectors (binary, little-endian float32) and the corpus (JSON) to `dir`. */
  async save(dir: string): Promise<void> {
    await this.index();
    const matrix = (this.kernel as ScoreKernel).matrix();
    await mkdir(dir, { recursive: true });
    const meta = {
      format: SAVE_FORMAT,
      version: SAVE_VERSION,
      count: this.items.length,
      dimensions: this.dims,
      model: this.embedder.model ?? null,
      k: this.k,
    };
    await atomicWrite(join(dir, 'vectors.f32'), littleEndianBytes(matrix));
    await atomicWrite(join(dir, 'corpus.json'), `${JSON.stringify(this.items)}\n`);
    await atomicWrite(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  }

  /** Loads what `save` wrote; queries are embedded with `embedder`, which must be the model the corpus was embedded with. */
  static async load(dir: string, options: { embedder: Embedder; k?: number }): Promise<Embeddings> {
    const read = async (name: string) => {
      try {
        return await readFile(join(dir, name));
      } catch (error) {
        throw new RetrieverError(
          `Cannot read ${join(dir, name)}: ${(error as Error).message}. Is it a directory written by Embeddings.save()?`,
        );
      }
    };
    const meta = metaSchema.safeParse(parseJson(await read('meta.json'), join(dir, 'meta.json')));
    if (!meta.success)
      throw new RetrieverError(`${join(dir, 'meta.json')} is not an Embeddings index: ${z.prettifyError(meta.error)}`);
    const passages = passagesSchema.safeParse(parseJson(await read('corpus.json'), join(dir, 'corpus.json')));
    if (!passages.success) throw new RetrieverError(`${join(dir, 'corpus.json')} is damaged: ${z.prettifyError(passages.error)}`);
    const { count, dimensions, model } = meta.data;
    if (passages.data.length !== count) {
      throw new RetrieverError(`${join(dir, 'corpus.json')} has ${passages.data.length} passages; meta.json says ${count}.`);
    }
    const bytes = await read('vectors.f32');
    if (bytes.byteLength !== count * dimensions * 4) {
      throw new RetrieverError(
        `${join(dir, 'vectors.f32')} has ${bytes.byteLength} bytes; ${count} × ${dimensions} float32 vectors need ${count * dimensions * 4}.`,
      );
    }
    if (model && options.embedder.model && options.embedder.model !== model) {
      throw new RetrieverError(
        `This index was embedded with "${model}" but the embedder is "${options.embedder.model}": queries would not be comparable.`,
      );
    }
    const retriever = new Embeddings({ corpus: passages.data, embedder: options.embedder, k: options.k ?? meta.data.k });
    retriever.kernel = createScoreKernel(fromLittleEndian(bytes, count * dimensions), count, dimensions);
    retriever.dims = dimensions;
    retriever.indexing = Promise.resolve();
    return retriever;
  }

  private setMatrix(vectors: Float32Array[]): void {
    const dims = vectors[0]?.length ?? 0;
    const matrix = new Float32Array(vectors.length * dims);
    for (const [i, v] of vectors.entries()) {
      if (v.length !== dims) throw new RetrieverError(`Corpus vector ${i} has ${v.length} dimensions, expected ${dims}.`);
      matrix.set(normalized(v), i * dims);
    }
    this.kernel = createScoreKernel(matrix, vectors.length, dims);
    this.dims = dims;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (let start = 0; start < batch.length; start += BLOCK) {
      const block = batch.slice(start, start + BLOCK);
      try {
        const scores = (this.kernel as ScoreKernel).score(block.map((q) => q.vector));
        for (const [j, query] of block.entries()) query.resolve(this.result(scores[j] as Float32Array, query.k));
      } catch (error) {
        for (const query of block) query.reject(error);
      }
    }
  }

  private result(scores: Float32Array, k: number): RetrieverResult {
    const indices = topK(scores, k);
    const items = indices.map((i) => this.items[i] as Passage);
    return { passages: items.map((p) => p.text), indices, scores: indices.map((i) => scores[i] as number), items };
  }
}

function normalized(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += (v[i] as number) * (v[i] as number);
  norm = Math.sqrt(norm);
  if (norm === 0 || !Number.isFinite(norm)) return new Float32Array(v.length);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / norm;
  return out;
}

function parseJson(bytes: Buffer, path: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new RetrieverError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function littleEndianBytes(matrix: Float32Array): Uint8Array {
  if (littleEndianHost) return new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
  const view = new DataView(new ArrayBuffer(matrix.byteLength));
  for (let i = 0; i < matrix.length; i++) view.setFloat32(i * 4, matrix[i] as number, true);
  return new Uint8Array(view.buffer);
}

function fromLittleEndian(bytes: Buffer, length: number): Float32Array {
  const out = new Float32Array(length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
