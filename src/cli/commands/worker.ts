import { type Command, InvalidArgumentError } from 'commander';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

interface WorkerFlags {
  url?: string;
  queue: string;
  concurrency?: number;
  module?: string;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalled?: number;
  id?: string;
  prefix?: string;
}

/**
 * `tsdspy worker`: runs evaluation jobs from a Redis queue until SIGTERM / SIGINT (then finishes the jobs in hand).
 * Exit code 3: the evaluation module cannot be loaded (reported to the coordinator too).
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run evaluation jobs of a distributed optimization (see docs/distributed.md).')
    .option('--url <url>', 'Redis URL, redis://[user:password@]host:port[/db] or rediss:// (default: $TSDSPY_REDIS_URL)')
    .requiredOption('--queue <name>', 'queue name, as given to redisBackend({ queue })')
    .option('--concurrency <n>', 'jobs run at once in this process (default 1)', positiveInt('--concurrency'))
    .option('--module <path>', 'evaluation module to load (default: the path each job names)')
    .option(
      '--lock-duration <ms>',
      'job lock time; a dead worker’s jobs return after this (default 30000)',
      positiveInt('--lock-duration'),
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for jobs of dead workers (default 15000)',
      positiveInt('--stalled-interval'),
    )
    .option(
      '--max-stalled <n>',
      'times a job may be lost to dead workers before it fails (default 3)',
      positiveInt('--max-stalled'),
    )
    .option('--id <id>', 'worker id in results and failure records (default host-pid)')
    .option('--prefix <prefix>', 'Redis key prefix, as given to redisBackend({ prefix }) (default tsdspy)')
    .action(async (flags: WorkerFlags) => {
      // The library is imported by its package name, so the worker and the user's evaluation module share one
      // instance (settings, tracing); and only here, so `tsdspy --help` and other commands stay light.
      const { startRedisWorker, workerJobHandlers, configure } = await import('tsdspy');
      const url = flags.url ?? process.env.TSDSPY_REDIS_URL;
      if (!url) throw new Error('give --url redis://host:port (or set TSDSPY_REDIS_URL)');
      if (!process.env.TSDSPY_LOG_LEVEL) configure({ logLevel: 'info' });
      const worker = await startRedisWorker(
        {
          url,
          queue: flags.queue,
          ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
          ...(flags.module ? { module: flags.module } : {}),
          ...(flags.lockDuration ? { lockDurationMs: flags.lockDuration } : {}),
          ...(flags.stalledInterval ? { stalledIntervalMs: flags.stalledInterval } : {}),
          ...(flags.maxStalled ? { maxStalledCount: flags.maxStalled } : {}),
          ...(flags.id ? { id: flags.id } : {}),
          ...(flags.prefix ? { prefix: flags.prefix } : {}),
        },
        workerJobHandlers,
      );
      const stop = () => void worker.close();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      process.exitCode = await worker.done;
    });
}
