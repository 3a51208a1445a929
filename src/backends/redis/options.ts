import { resolve } from 'node:path';
import { z } from 'zod';
import { BackendConfigError } from '../errors.js';

/** Queue names end up in Redis keys: keep them to a safe alphabet (BullMQ refuses `:`). */
const queueName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'letters, digits, ".", "_" and "-" only (no ":"), at most 200 characters');

const redisUrl = z
  .string()
  .refine((url) => /^rediss?:\/\//.test(url), 'must start with redis:// or rediss:// (TLS)')
  .refine((url) => {
    try {
      new URL(url);
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid URL');

const backendOptionsSchema = z.strictObject({
  url: redisUrl,
  queue: queueName,
  module: z.string().min(1),
  concurrency: z.number().int().positive().max(10_000).optional(),
  workerTimeoutMs: z.number().int().positive().optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  keepResultsSeconds: z.number().int().positive().optional(),
  prefix: queueName.optional(),
});

/** Options of `redisBackend`. */
export interface RedisBackendOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS. The password never enters job payloads. */
  url: string;
  /** The BullMQ queue shared by this coordinator and its workers; one queue per run keeps runs apart. */
  queue: string;
  /** Path of the evaluation module as the workers see it (relative paths resolve against this process's cwd). */
  module: string;
  /** Jobs this coordinator keeps in flight at once (default 32); more wait here, not in Redis. */
  concurrency?: number;
  /** Fail with NoWorkersError after this long without any connected worker while jobs are pending (default 60 000). */
  workerTimeoutMs?: number;
  /** Fail with BackendConnectionError when Redis does not answer within this time (default 10 000). */
  connectTimeoutMs?: number;
  /** How long finished jobs stay in Redis so a restarted coordinator can collect them (default 7 days). */
  keepResultsSeconds?: number;
  /** Prefix of every Redis key (default `tsdspy`); workers must use the same. */
  prefix?: string;
}

export type ResolvedRedisBackendOptions = Required<RedisBackendOptions>;

export const DEFAULT_PREFIX = 'tsdspy';

export function resolveBackendOptions(options: RedisBackendOptions): ResolvedRedisBackendOptions {
  const parsed = backendOptionsSchema.safeParse(options);
  if (!parsed.success) throw new BackendConfigError(`Invalid redisBackend options:\n${z.prettifyError(parsed.error)}`);
  const o = parsed.data;
  return {
    url: o.url,
    queue: o.queue,
    module: resolve(o.module),
    concurrency: o.concurrency ?? 32,
    workerTimeoutMs: o.workerTimeoutMs ?? 60_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    keepResultsSeconds: o.keepResultsSeconds ?? 7 * 24 * 3600,
    prefix: o.prefix ?? DEFAULT_PREFIX,
  };
}

const workerOptionsSchema = z.strictObject({
  url: redisUrl,
  queue: queueName,
  concurrency: z.number().int().positive().max(1000).optional(),
  module: z.string().min(1).optional(),
  lockDurationMs: z.number().int().min(200).optional(),
  stalledIntervalMs: z.number().int().min(100).optional(),
  maxStalledCount: z.number().int().min(0).optional(),
  id: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,100}$/)
    .optional(),
  prefix: queueName.optional(),
});

/** Options of a worker process (`tsdspy worker`). */
export interface RedisWorkerOptions {
  url: string;
  queue: string;
  /** Jobs this worker runs at once (default 1). */
  concurrency?: number;
  /** Load this module instead of the path each job names. */
  module?: string;
  /**
   * How long a job stays locked to this worker without a renewal (default 30 000 ms; renewed every half of it).
   * A worker that dies (SIGKILL, machine loss) gives its jobs back after at most lockDuration + stalledInterval.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (default 15 000 ms). */
  stalledIntervalMs?: number;
  /** Times a job may be given back after its worker died before it fails for good (default 3). */
  maxStalledCount?: number;
  /** Worker id in results and failure records (default `host-pid`). */
  id?: string;
  prefix?: string;
}

export type ResolvedRedisWorkerOptions = Required<Omit<RedisWorkerOptions, 'module'>> & { module: string | undefined };

export function resolveWorkerOptions(options: RedisWorkerOptions, defaultId: string): ResolvedRedisWorkerOptions {
  const parsed = workerOptionsSchema.safeParse(options);
  if (!parsed.success) throw new BackendConfigError(`Invalid worker options:\n${z.prettifyError(parsed.error)}`);
  const o = parsed.data;
  const lockDurationMs = o.lockDurationMs ?? 30_000;
  return {
    url: o.url,
    queue: o.queue,
    concurrency: o.concurrency ?? 1,
    module: o.module === undefined ? undefined : resolve(o.module),
    lockDurationMs,
    stalledIntervalMs: o.stalledIntervalMs ?? Math.min(15_000, lockDurationMs),
    maxStalledCount: o.maxStalledCount ?? 3,
    id: o.id ?? defaultId,
    prefix: o.prefix ?? DEFAULT_PREFIX,
  };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}
