import { BackendDependencyError } from '../errors.js';

type BullMQ = typeof import('bullmq');
type IORedisModule = typeof import('ioredis');
export type RedisClient = InstanceType<IORedisModule['Redis']>;

export interface QueueLibraries {
  bullmq: BullMQ;
  /**
   * Opens a connection as BullMQ needs it (no per-request retry limit: BullMQ handles reconnects). Connection
   * errors go to `onError` (ioredis retries on its own), never to stderr as unhandled events.
   */
  connect(url: string, onError: (error: Error) => void): RedisClient;
}

let loaded: Promise<QueueLibraries> | undefined;

/** Loads bullmq and ioredis on first use: they are optional peer dependencies, and importing tsdspy never loads them. */
export function loadQueueLibraries(): Promise<QueueLibraries> {
  loaded ??= (async () => {
    try {
      const [bullmq, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
      const Redis = ioredis.Redis;
      return {
        bullmq,
        connect: (url: string, onError: (error: Error) => void) => {
          const client = new Redis(url, { maxRetriesPerRequest: null });
          client.on('error', onError);
          return client;
        },
      };
    } catch (error) {
      loaded = undefined;
      throw new BackendDependencyError(
        `The Redis backend needs the optional packages bullmq and ioredis: run \`npm install bullmq@^6.7 ioredis\` (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
  })();
  return loaded;
}
