import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoWorkersError, optimizeAnything, redisBackend, WorkerModuleError } from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluator } from '../fixtures/distributed/anything-module.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { WORD_MODULE, wordOptions } from '../support/word-task.js';
import { startWorker, type WorkerProcess } from '../support/workers.js';

let redis: RedisServer;
let workers: WorkerProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tsdspy-dist-'));
const execLog = join(dir, 'exec.log');
// Short locks so a killed worker's jobs come back within ~1.5 s.
const FAST_LOCKS = ['--lock-duration', '1000', '--stalled-interval', '500', '--concurrency', '2'];

beforeAll(async () => {
  writeFileSync(execLog, '');
  redis = await startRedis();
  workers = await Promise.all(
    ['f1', 'f2'].map((id) =>
      startWorker({
        url: redis.url,
        queue: 'faults',
        id,
        extra: FAST_LOCKS,
        env: { DIST_DELAY_MS: '60', DIST_EXEC_LOG: execLog },
      }),
    ),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
});

/** `start` and `end` lines of the evaluator, per process id. */
function execCounts() {
  const counts = new Map<string, { start: number; end: number }>();
  for (const line of readFileSync(execLog, 'utf8').split('\n').filter(Boolean)) {
    const [kind, pid] = line.split(' ') as ['start' | 'end', string];
    const c = counts.get(pid) ?? { start: 0, end: 0 };
    c[kind]++;
    counts.set(pid, c);
  }
  const ends = [...counts.values()].reduce((sum, c) => sum + c.end, 0);
  return { counts, ends };
}

function coordinator(runDir: string, killAt: number): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/dist-coordinator.ts', redis.url, 'faults', runDir, String(killAt)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout })));
}

const comparable = (r: Awaited<ReturnType<typeof optimizeAnything>>) => ({
  bestCandidate: r.bestCandidate,
  candidates: r.candidates,
  totalMetricCalls: r.metadata.totalMetricCalls,
  scores: r.gepa.valAggregateScores,
});

describe('redisBackend failure semantics', () => {
  it('a coordinator killed mid-run and restarted on its run dir reuses the results that arrived and ends as an uninterrupted run', async () => {
    const runDir = join(dir, 'run');
    writeFileSync(execLog, '');
    const killed = await coordinator(runDir, 10);
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await coordinator(runDir, -1);
    expect(resumed.code).toBe(0);
    const local = comparable(await optimizeAnything({ ...wordOptions, evaluator }));
    const result = JSON.parse(resumed.stdout);
    expect(result).toEqual(local);
    // Every evaluation ran exactly once on the workers: nothing from the first coordinator was thrown away.
    expect(execCounts().ends).toBe(result.totalMetricCalls);
  }, 120_000);

  it('a worker SIGKILLed mid-job: its job is retried after the lock expires, recorded once, nothing lost', async () => {
    writeFileSync(execLog, '');
    const [victim] = workers as [WorkerProcess];
    const backend = redisBackend({ url: redis.url, queue: 'faults', module: WORD_MODULE, concurrency: 4 });
    const run = optimizeAnything({ ...wordOptions, backend });
    const pid = String(victim.child.pid);
    const busy = () => {
      const c = execCounts().counts.get(pid);
      return c !== undefined && c.start >= 4 && c.start > c.end;
    };
    while (!busy()) await new Promise((resolve) => setTimeout(resolve, 5));
    victim.child.kill('SIGKILL');
    const result = comparable(await run);
    const local = comparable(await optimizeAnything({ ...wordOptions, evaluator }));
    expect(result).toEqual(local);
    const { counts, ends } = execCounts();
    const lost = (counts.get(pid)?.start ?? 0) - (counts.get(pid)?.end ?? 0);
    expect(lost).toBeGreaterThanOrEqual(1);
    // Each metric call finished exactly once somewhere: the lost ones on the surviving worker.
    expect(ends).toBe(result.totalMetricCalls);
    expect(await victim.exited).toBe('SIGKILL');
  }, 60_000);

  it('a worker that cannot load the module: named error, the coordinator fails fast', async () => {
    // Preloaded with --module: the worker reports and exits before taking any job.
    const broken = await startWorker(
      { url: redis.url, queue: 'broken-a', id: 'b1', extra: ['--module', join(dir, 'missing.mjs')] },
      false,
    );
    expect(await broken.exited).toBe(3);
    expect(broken.log()).toMatch(/cannot load the evaluation module/);
    const started = Date.now();
    const a = redisBackend({ url: redis.url, queue: 'broken-a', module: WORD_MODULE, workerTimeoutMs: 30_000 });
    const errorA = await optimizeAnything({ ...wordOptions, backend: a }).catch((e: unknown) => e);
    expect(errorA).toBeInstanceOf(WorkerModuleError);
    expect(String(errorA)).toMatch(/b1 cannot load the evaluation module .*missing\.mjs/);

    // The module path a job names does not exist on the worker: the job fails, the worker stops.
    const lazy = await startWorker({ url: redis.url, queue: 'broken-b', id: 'b2' });
    const b = redisBackend({ url: redis.url, queue: 'broken-b', module: join(dir, 'nowhere.mjs'), workerTimeoutMs: 30_000 });
    const errorB = await optimizeAnything({ ...wordOptions, backend: b }).catch((e: unknown) => e);
    expect(errorB).toBeInstanceOf(WorkerModuleError);
    expect((errorB as WorkerModuleError).workerId).toBe('b2');
    expect(await lazy.exited).toBe(3);
    expect(Date.now() - started).toBeLessThan(25_000);
  }, 90_000);

  it('no worker on the queue: NoWorkersError after the timeout instead of hanging', async () => {
    const started = Date.now();
    const backend = redisBackend({ url: redis.url, queue: 'nobody', module: WORD_MODULE, workerTimeoutMs: 1500 });
    const error = await optimizeAnything({ ...wordOptions, backend }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoWorkersError);
    expect(String(error)).toMatch(/tsdspy worker --url <redis url> --queue nobody/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
