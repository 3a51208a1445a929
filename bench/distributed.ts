/**
 * Distributed evaluation on a local Redis: speed-up with 1, 2 and 4 worker processes for an I/O-bound (100 ms) and a
 * CPU-bound (50 ms busy) evaluator, and the per-job overhead of the queue against an in-process call. Worker sets
 * are measured interleaved, round after round, and the median is reported.
 */
import { availableParallelism } from 'node:os';
import { type BackendJob, GEPA_JOB, type GEPAJobPayload, redisBackend } from 'tsdspy';
import { startRedis } from '../test/support/redis-server.js';
import { startWorker, type WorkerProcess } from '../test/support/workers.js';
import { type BenchTask, evaluator } from './fixtures/distributed-evaluator.js';

const MODULE = 'bench/fixtures/distributed-evaluator.ts';
const SETS = [1, 2, 4] as const;

export interface DistributedBench {
  cores: number;
  io: Record<number, number>;
  cpu: Record<number, number>;
  ioIdealMs: Record<number, number>;
  overheadMs: number;
  pipelinedMsPerJob: number;
  inProcessMs: number;
}

let jobSeq = 0;
function jobs(task: BenchTask, n: number): BackendJob[] {
  const run = `b${Date.now().toString(36)}${jobSeq++}`;
  return Array.from({ length: n }, (_, i) => {
    const payload: GEPAJobPayload = {
      mode: 'anything',
      candidate: { current_candidate: 'x' },
      example: task,
      captureTraces: false,
      options: { stringArtifact: true, singleTask: false, failureScore: 0 },
    };
    return { id: `${run}-${i}`, kind: GEPA_JOB, payload };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function benchDistributed(rounds = 3, workerConcurrency = 4): Promise<DistributedBench> {
  const redis = await startRedis();
  const workers: WorkerProcess[] = [];
  try {
    for (const size of SETS) {
      const started = await Promise.all(
        Array.from({ length: size }, (_, i) =>
          startWorker({
            url: redis.url,
            queue: `w${size}`,
            id: `w${size}-${i}`,
            extra: ['--concurrency', String(workerConcurrency)],
          }),
        ),
      );
      workers.push(...started);
    }
    const backends = Object.fromEntries(
      SETS.map((size) => [size, redisBackend({ url: redis.url, queue: `w${size}`, module: MODULE, concurrency: 64 })]),
    );
    for (const b of Object.values(backends)) await b.open();
    const time = async (size: number, task: BenchTask, n: number) => {
      const t = performance.now();
      await backends[size]?.run(jobs(task, n));
      return performance.now() - t;
    };
    for (const size of SETS) await time(size, { kind: 'noop', ms: 0 }, 50); // warm: module loaded everywhere

    const io: Record<number, number[]> = { 1: [], 2: [], 4: [] };
    const cpu: Record<number, number[]> = { 1: [], 2: [], 4: [] };
    const ioJobs = 48;
    const cpuJobs = 24;
    for (let r = 0; r < rounds; r++) {
      for (const size of SETS) io[size]?.push(await time(size, { kind: 'io', ms: 100 }, ioJobs));
      for (const size of SETS) cpu[size]?.push(await time(size, { kind: 'cpu', ms: 50 }, cpuJobs));
    }

    // Overhead: one job at a time through one worker, against the same evaluator called in-process.
    const single = backends[1] as NonNullable<(typeof backends)[number]>;
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await single.run(jobs({ kind: 'noop', ms: 0 }, 1));
      latencies.push(performance.now() - t);
    }
    let t = performance.now();
    for (let i = 0; i < 1000; i++) await evaluator('x', { kind: 'noop', ms: 0 });
    const inProcessMs = (performance.now() - t) / 1000;
    t = performance.now();
    await single.run(jobs({ kind: 'noop', ms: 0 }, 2000));
    const pipelinedMsPerJob = (performance.now() - t) / 2000;
    for (const b of Object.values(backends)) await b.close();

    const ideal = (size: number) => Math.ceil(ioJobs / (size * workerConcurrency)) * 100;
    return {
      cores: availableParallelism(),
      io: Object.fromEntries(SETS.map((s) => [s, median(io[s] as number[])])),
      cpu: Object.fromEntries(SETS.map((s) => [s, median(cpu[s] as number[])])),
      ioIdealMs: Object.fromEntries(SETS.map((s) => [s, ideal(s)])),
      overheadMs: median(latencies) - inProcessMs,
      pipelinedMsPerJob,
      inProcessMs,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
  }
}
