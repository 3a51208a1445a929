import { redisBackend } from './src/index.js';
import { startRedis } from './test/support/redis-server.js';
import { startWorker } from './test/support/workers.js';
const redis = await startRedis();
const w = await startWorker({ url: redis.url, queue: 'q1', id: 'w1', extra: ['--concurrency', '8'] });
const backend = redisBackend({ url: redis.url, queue: 'q1', module: 'test/fixtures/distributed/anything-module.ts' });
await backend.open();
const job = (i: number, k: string) => ({ id: `${k}-${i}`, kind: 'gepa.evaluate', payload: { mode: 'anything', candidate: { current_candidate: 'alpha' }, example: { id: i, words: ['alpha'] }, captureTraces: false, options: { stringArtifact: true, singleTask: false, failureScore: 0 } } });
for (const n of [1, 1, 1, 6, 6, 100]) {
  const t = performance.now();
  const r = await backend.run(Array.from({ length: n }, (_, i) => job(i, `b${n}-${Math.random()}`)));
  console.log(n, (performance.now() - t).toFixed(1), 'ms', r[0]?.ms.toFixed(2));
}
await backend.close(); await w.stop(); await redis.stop();
