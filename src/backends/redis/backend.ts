import type { Queue, QueueEvents } from 'bullmq';
import pLimit from 'p-limit';
import { logger } from '../../logger/logger.js';
import type { BackendJob, BackendResult, EvaluationBackend } from '../backend.js';
import { BackendConnectionError, JobFailedError, NoWorkersError, WorkerModuleError } from '../errors.js';
import { loadQueueLibraries, type RedisClient } from './load.js';
import { type RedisBackendOptions, type ResolvedRedisBackendOptions, redactUrl, resolveBackendOptions } from './options.js';
import {
  JOB_PROTOCOL,
  type JobData,
  jobReturnSchema,
  MODULE_ERROR_MARK,
  MODULE_ERROR_TTL_SECONDS,
  moduleErrorKey,
  moduleErrorSchema,
} from './protocol.js';

interface Waiter {
  resolve(result: BackendResult): void;
  reject(error: Error): void;
}

interface Connection {
  queue: Queue;
  events: QueueEvents;
  clients: RedisClient[];
  watchdog: NodeJS.Timeout;
}

/** How often the coordinator checks for workers, module errors and results it may have missed. */
const WATCH_INTERVAL_MS = 500;

/**
 * Coordinator side of the Redis backend: enqueues jobs on a BullMQ queue with stable ids, keeps at most
 * `concurrency` in flight, and collects results from the queue's event stream (with a periodic sweep, so a
 * result is never missed). Fails fast when a worker cannot load the module, or when no worker shows up.
 */
export class RedisBackend implements EvaluationBackend {
  readonly kind = 'redis';
  readonly options: ResolvedRedisBackendOptions;
  private connection: Promise<Connection> | undefined;
  private users = 0;
  private readonly waiting = new Map<string, Waiter>();
  private readonly limit: ReturnType<typeof pLimit>;
  private fatal: Error | undefined;
  private noWorkerSince: number | undefined;
  private warnedNoWorker = false;
  private openedAt = 0;
  private watching = false;
  private ticks = 0;

  constructor(options: RedisBackendOptions) {
    this.options = resolveBackendOptions(options);
    this.limit = pLimit(this.options.concurrency);
  }

  get module(): string {
    return this.options.module;
  }

  async open(): Promise<void> {
    this.users++;
    if (!this.connection) {
      this.fatal = undefined;
      this.openedAt = Date.now();
      this.connection = this.connect();
      this.connection.catch(() => {
        this.connection = undefined;
      });
    }
    try {
      await this.connection;
    } catch (error) {
      this.users--;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0 || !this.connection) return;
    const pending = this.connection;
    this.connection = undefined;
    const conn = await pending.catch(() => undefined);
    if (!conn) return;
    clearInterval(conn.watchdog);
    await Promise.allSettled([conn.queue.close(), conn.events.close()]);
    await Promise.allSettled(conn.clients.map((c) => c.quit()));
  }

  async run(jobs: readonly BackendJob[], onResult?: (index: number, result: BackendResult) => void): Promise<BackendResult[]> {
    await this.open();
    try {
      const conn = await (this.connection as Promise<Connection>);
      return await Promise.all(
        jobs.map((job, index) =>
          this.limit(async () => {
            const result = await this.dispatch(conn, job);
            onResult?.(index, result);
            return result;
          }),
        ),
      );
    } finally {
      await this.close();
    }
  }

  private async connect(): Promise<Connection> {
    const { bullmq, connect } = await loadQueueLibraries();
    const { url, queue: name, prefix } = this.options;
    let lastError: Error | undefined;
    const onError = (error: Error) => {
      lastError = error;
      logger.debug(`redis backend connection: ${error.message}`);
    };
    const clients = [connect(url, onError), connect(url, onError)];
    const [queueClient, eventsClient] = clients as [RedisClient, RedisClient];
    const queue = new bullmq.Queue(name, { connection: queueClient, prefix });
    const events = new bullmq.QueueEvents(name, { connection: eventsClient, prefix });
    events.setMaxListeners(0);
    queue.on('error', (error) => logger.debug(`redis backend queue error: ${error.message}`));
    events.on('error', (error) => logger.debug(`redis backend events error: ${error.message}`));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(lastError ?? new Error('no answer')), this.options.connectTimeoutMs);
    });
    try {
      await Promise.race([Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), timeout]);
    } catch (error) {
      clients.forEach((c) => {
        c.disconnect();
      });
      void Promise.allSettled([queue.close(), events.close()]);
      throw new BackendConnectionError(
        `Cannot reach Redis at ${redactUrl(url)} within ${this.options.connectTimeoutMs} ms (${error instanceof Error ? error.message : String(error)}). Check the URL, the password, rediss:// for TLS servers, and that the server is up.`,
      );
    } finally {
      clearTimeout(timer);
    }
    events.on('completed', ({ jobId, returnvalue }) => this.settleCompleted(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.settleFailed(jobId, failedReason));
    const conn = { queue, events, clients } as Connection;
    conn.watchdog = setInterval(() => void this.watch(conn), WATCH_INTERVAL_MS);
    conn.watchdog.unref();
    return conn;
  }

  /** Enqueues one job (or finds it, when a previous coordinator already did) and waits for its result. */
  private async dispatch(conn: Connection, job: BackendJob): Promise<BackendResult> {
    if (this.fatal) throw this.fatal;
    const settled = new Promise<BackendResult>((resolve, reject) => this.waiting.set(job.id, { resolve, reject }));
    settled.catch(() => {});
    const state = await conn.queue.getJobState(job.id);
    if (state !== 'unknown') await this.adopt(conn, job.id, state);
    else {
      const data: JobData = { v: JOB_PROTOCOL, kind: job.kind, module: this.options.module, payload: job.payload };
      const keep = { age: this.options.keepResultsSeconds };
      await conn.queue.add(job.kind, data, { jobId: job.id, attempts: 1, removeOnComplete: keep, removeOnFail: keep });
    }
    return settled;
  }

  /** A job from an earlier coordinator: use its result, wait for it, or retry it when it had failed. */
  private async adopt(conn: Connection, id: string, state: string): Promise<void> {
    if (state !== 'completed' && state !== 'failed') return; // waiting or running: its event will come
    const job = await conn.queue.getJob(id);
    if (!job) return;
    if (state === 'completed') this.settleCompleted(id, job.returnvalue);
    else {
      logger.info(`redis backend: job ${id} had failed (${job.failedReason}); running it again`);
      await job.retry('failed');
    }
  }

  private settleCompleted(jobId: string, returnvalue: unknown): void {
    const waiter = this.waiting.get(jobId);
    if (!waiter) return;
    this.waiting.delete(jobId);
    const parsed = jobReturnSchema.safeParse(typeof returnvalue === 'string' ? safeJson(returnvalue) : returnvalue);
    if (parsed.success) waiter.resolve(parsed.data as BackendResult);
    else waiter.reject(new JobFailedError(`Job ${jobId} returned a malformed result: ${parsed.error.message}`, jobId));
  }

  private settleFailed(jobId: string, reason: string): void {
    const waiter = this.waiting.get(jobId);
    if (!waiter) return;
    if (reason?.startsWith(MODULE_ERROR_MARK)) {
      const report = moduleErrorSchema.safeParse(safeJson(reason.slice(MODULE_ERROR_MARK.length)));
      if (report.success) {
        this.fail(moduleError(report.data));
        return;
      }
    }
    this.waiting.delete(jobId);
    waiter.reject(
      new JobFailedError(
        `Job ${jobId} failed on a worker outside the evaluation itself: ${reason}. Check the worker's log; a job lost to dying workers more than maxStalledCount times also ends here.`,
        jobId,
      ),
    );
  }

  /** Stops the run: every waiting job and every later dispatch fails with this error. */
  private fail(error: Error): void {
    this.fatal ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.fatal);
    this.waiting.clear();
  }

  private async watch(conn: Connection): Promise<void> {
    if (this.watching || this.waiting.size === 0) {
      this.noWorkerSince = undefined;
      return;
    }
    this.watching = true;
    try {
      await this.checkModuleErrors(conn);
      await this.checkWorkers(conn);
      if (++this.ticks % 4 === 0) await this.sweep(conn);
    } catch (error) {
      logger.debug(`redis backend watchdog: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.watching = false;
    }
  }

  private async checkModuleErrors(conn: Connection): Promise<void> {
    const client = conn.clients[0] as RedisClient;
    const reports = await client.hgetall(moduleErrorKey(this.options.prefix, this.options.queue));
    const freshSince = Math.min(this.openedAt, Date.now()) - MODULE_ERROR_TTL_SECONDS * 1000;
    for (const raw of Object.values(reports)) {
      const report = moduleErrorSchema.safeParse(safeJson(raw));
      if (report.success && report.data.time >= freshSince) {
        this.fail(moduleError(report.data));
        return;
      }
    }
  }

  private async checkWorkers(conn: Connection): Promise<void> {
    const count = await conn.queue.getWorkersCount().catch(() => 1);
    if (count > 0) {
      this.noWorkerSince = undefined;
      return;
    }
    const now = Date.now();
    this.noWorkerSince ??= now;
    const waited = now - this.noWorkerSince;
    if (waited >= 5_000 && !this.warnedNoWorker) {
      this.warnedNoWorker = true;
      logger.warn(
        `no worker is connected to queue "${this.options.queue}" on ${redactUrl(this.options.url)}; start one with \`npx tsdspy worker --url … --queue ${this.options.queue}\``,
      );
    }
    if (waited >= this.options.workerTimeoutMs) this.fail(new NoWorkersError(this.options.queue, waited));
  }

  /** Results whose events were missed (e.g. finished while the event reader reconnected) are picked up here. */
  private async sweep(conn: Connection): Promise<void> {
    for (const id of [...this.waiting.keys()]) {
      const state = await conn.queue.getJobState(id);
      if (state !== 'completed' && state !== 'failed') continue;
      const job = await conn.queue.getJob(id);
      if (!job) continue;
      if (state === 'completed') this.settleCompleted(id, job.returnvalue);
      else this.settleFailed(id, job.failedReason);
    }
  }
}

/**
 * A backend that runs metric calls on `tsdspy worker` processes through a BullMQ queue on Redis.
 * Pass it as `backend` to `optimizeAnything`, `optimize`, `GEPA` or `Evaluate`. See docs/distributed.md.
 */
export function redisBackend(options: RedisBackendOptions): RedisBackend {
  return new RedisBackend(options);
}

function moduleError(report: { workerId: string; module: string; message: string }): WorkerModuleError {
  return new WorkerModuleError(
    `Worker ${report.workerId} cannot load the evaluation module ${report.module}: ${report.message}. Put the module at the same path on that machine (with its dependencies installed), or start the worker with --module <path>.`,
    report.workerId,
    report.module,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
