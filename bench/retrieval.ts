/**
 * In-memory retriever speed: exact cosine top-10 over N × 384 float32 vectors (query vectors given, so only the
 * search is measured). Latency: one query at a time. Throughput: 256 queries in flight, searched together.
 */
import { Embedder } from '../src/retrieval/embedder.js';
import { Embeddings } from '../src/retrieval/embeddings.js';

const D = 384;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export interface RetrievalBench {
  n: number;
  indexMs: number;
  latencyMs: number;
  sequentialQps: number;
  batchedQps: number;
}

export async function benchRetrieval(sizes = [10_000, 100_000]): Promise<RetrievalBench[]> {
  const results: RetrievalBench[] = [];
  for (const n of sizes) {
    const r = random(n);
    const vectors = Array.from({ length: n }, () => Float32Array.from({ length: D }, r));
    const embedder = new Embedder((texts) => texts.map((t) => vectors[Number(t)] as Float32Array));
    const retriever = new Embeddings({ corpus: vectors.map((_, i) => String(i)), embedder, k: 10 });
    let t0 = performance.now();
    await retriever.index();
    const indexMs = performance.now() - t0;
    const queries = Array.from({ length: 256 }, () => Float32Array.from({ length: D }, r));
    for (const q of queries.slice(0, 8)) await retriever.searchVector(q); // warm-up
    const sequential = n > 20_000 ? 16 : 64;
    t0 = performance.now();
    for (const q of queries.slice(0, sequential)) await retriever.searchVector(q);
    const latencyMs = (performance.now() - t0) / sequential;
    t0 = performance.now();
    await Promise.all(queries.map((q) => retriever.searchVector(q)));
    const batchedMs = (performance.now() - t0) / queries.length;
    results.push({ n, indexMs, latencyMs, sequentialQps: 1000 / latencyMs, batchedQps: 1000 / batchedMs });
  }
  return results;
}
