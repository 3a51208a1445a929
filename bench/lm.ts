/**
 * LM client benchmarks against the loopback server:
 *  1. 1,000 calls with 100 ms server latency at concurrency 64: wall time / ideal (1000/64 × 100 ms); target ≤ 1.15×.
 *  2. Cache-hit path: calls per second served from the in-memory cache; target ≥ 100,000/s.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { LM } from 'tsdspy';

/** The server runs in its own process, as a real provider would, so its work is not billed to the client. */
async function startServer(latencyMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/loopback-child.ts', String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { baseURL: `http://127.0.0.1:${chunk.toString().trim()}/v1`, stop: () => child.kill() };
}

export async function benchLM(): Promise<{ ratio: number; wallMs: number; idealMs: number; hitsPerSecond: number }> {
  const server = await startServer(100);
  try {
    const calls = 1000;
    const concurrency = 64;
    const lm = new LM('openai/gpt-4.1-mini', {
      apiKey: 'bench-key-0000',
      baseURL: server.baseURL,
      cache: false,
      maxConcurrency: concurrency,
    });
    // Warm up connections and the JIT, then measure steady state.
    await Promise.all(
      Array.from({ length: 2 * concurrency }, (_, i) => lm.call({ messages: [{ role: 'user', content: `warm ${i}` }] })),
    );
    const started = performance.now();
    await Promise.all(Array.from({ length: calls }, (_, i) => lm.call({ messages: [{ role: 'user', content: `q${i}` }] })));
    const wallMs = performance.now() - started;
    const idealMs = (calls / concurrency) * 100;

    const cached = new LM('openai/gpt-4.1-mini', {
      apiKey: 'bench-key-0000',
      baseURL: server.baseURL,
      cacheDir: null,
      historySize: 100,
    });
    const request = { messages: [{ role: 'user' as const, content: 'cached question' }] };
    await cached.call(request);
    for (let i = 0; i < 5000; i++) await cached.call(request);
    const hits = 100_000;
    const t0 = performance.now();
    for (let i = 0; i < hits; i++) await cached.call(request);
    const hitsPerSecond = hits / ((performance.now() - t0) / 1000);
    return { ratio: wallMs / idealMs, wallMs, idealMs, hitsPerSecond };
  } finally {
    server.stop();
  }
}
