import { hostname } from 'node:os';
import type { Job, Worker } from 'bullmq';
import { logger } from '../../logger/logger.js';
import type { JobHandlers } from '../handlers.js';
import { ModuleExportError } from '../module-errors.js';
import { loadEvaluationModule } from '../module-loader.js';
import { loadQueueLibraries, type RedisClient } from './load.js';
import { type RedisWorkerOptions, type ResolvedRedisWorkerOptions, redactUrl, resolveWorkerOptions } from './options.js';
import {
  type JobReturn,
  jobDataSchema,
  MODULE_ERROR_MARK,
  MODULE_ERROR_TTL_SECONDS,
  type ModuleErrorReport,
  moduleErrorKey,
} from './protocol.js';

/** A running worker: `done` resolves with the process exit code it asks for (0 after `close`, 3 when the module failed). */
export interface RunningWorker {
  readonly id: string;
  readonly options: ResolvedRedisWorkerOptions;
  /** Finishes the jobs in hand, then disconnects. */
  close(): Promise<void>;
  readonly done: Promise<number>;
}

/** Exit code of a worker that could not load the evaluation module. */
export const MODULE_ERROR_EXIT_CODE = 3;

/**
 * Starts a worker on the queue: takes jobs, loads the evaluation module they name (or `options.module`),
 * runs the handler of the job's kind and returns its value. A module that cannot be loaded is reported once
 * (to the job's coordinator and in Redis) and the worker stops, so it never swallows jobs it cannot run.
 */
export async function startRedisWorker(options: RedisWorkerOptions, handlers: JobHandlers): Promise<RunningWorker> {
  const o = resolveWorkerOptions(options, `${hostname()}-${process.pid}`);
  const { bullmq, connect } = await loadQueueLibraries();
  const clients: RedisClient[] = [];
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let worker: Worker | undefined;
  let connected = true;
  const onError = (error: Error) => {
    // ioredis reconnects by itself: say so once per outage, not once per retry.
    if (connected) logger.warn(`worker ${o.id}: Redis connection error (${error.message}); retrying`);
    connected = false;
  };
  let closing: Promise<void> | undefined;
  const close = (code = 0) => {
    closing ??= (async () => {
      await worker?.close();
      await Promise.allSettled(clients.map((c) => c.quit()));
      finish(code);
    })();
    return closing;
  };

  const reportModuleError = async (module: string, error: unknown): Promise<string> => {
    const report: ModuleErrorReport = {
      workerId: o.id,
      module,
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      time: Date.now(),
    };
    logger.error(`worker ${o.id} cannot load the evaluation module ${module}: ${report.message}`);
    const client = clients[0] ?? connect(o.url, onError);
    if (!clients.includes(client)) clients.push(client);
    const key = moduleErrorKey(o.prefix, o.queue);
    await client.multi().hset(key, o.id, JSON.stringify(report)).expire(key, MODULE_ERROR_TTL_SECONDS).exec();
    return `${MODULE_ERROR_MARK}${JSON.stringify(report)}`;
  };

  if (o.module) {
    try {
      await loadEvaluationModule(o.module);
    } catch (error) {
      await reportModuleError(o.module, error);
      await close(MODULE_ERROR_EXIT_CODE);
      return { id: o.id, options: o, close: () => close(), done };
    }
  }

  const processor = async (job: Job): Promise<JobReturn> => {
    const data = jobDataSchema.safeParse(job.data);
    if (!data.success) {
      throw new bullmq.UnrecoverableError(
        `worker ${o.id} cannot read job ${job.id}: it was made by another version of tsdspy (${data.error.issues[0]?.message})`,
      );
    }
    const path = o.module ?? data.data.module;
    let module: Record<string, unknown>;
    try {
      module = await loadEvaluationModule(path);
    } catch (error) {
      const reason = await reportModuleError(path, error);
      void close(MODULE_ERROR_EXIT_CODE);
      throw new bullmq.UnrecoverableError(reason);
    }
    const handler = handlers[data.data.kind];
    if (!handler) {
      throw new bullmq.UnrecoverableError(
        `worker ${o.id} has no handler for jobs of kind "${data.data.kind}" (it knows ${Object.keys(handlers).join(', ')}): update tsdspy on the worker`,
      );
    }
    const started = performance.now();
    try {
      const value = await handler({
        module,
        modulePath: path,
        payload: data.data.payload,
        workerId: o.id,
        jobId: String(job.id),
      });
      return { workerId: o.id, value, ms: performance.now() - started };
    } catch (error) {
      if (!(error instanceof ModuleExportError)) throw error;
      const reason = await reportModuleError(path, error);
      void close(MODULE_ERROR_EXIT_CODE);
      throw new bullmq.UnrecoverableError(reason);
    }
  };

  const client = connect(o.url, onError);
  client.on('ready', () => {
    connected = true;
  });
  clients.push(client);
  worker = new bullmq.Worker(o.queue, processor, {
    connection: client,
    prefix: o.prefix,
    concurrency: o.concurrency,
    name: o.id,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount,
    // Results live in Redis until the coordinator collects them; the job options set how long.
    autorun: false,
  });
  worker.on('error', (error) => logger.warn(`worker ${o.id}: ${error.message}`));
  worker.on('failed', (job, error) => logger.debug(`worker ${o.id}: job ${job?.id} failed: ${error.message}`));
  void worker.run().catch((error: unknown) => {
    logger.error(`worker ${o.id} stopped: ${error instanceof Error ? error.message : String(error)}`);
    void close(1);
  });
  await worker.waitUntilReady();
  logger.info(
    `worker ${o.id} ready on queue ${o.queue} at ${redactUrl(o.url)} (concurrency ${o.concurrency}, lock ${o.lockDurationMs} ms)`,
  );
  return { id: o.id, options: o, close: () => close(), done };
}
