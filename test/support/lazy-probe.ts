/** Child process: prints whether importing tsdspy loaded the queue packages, and whether connecting a backend did. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((k) => /node_modules[\\/](bullmq|ioredis)[\\/]/.test(k));
const tsdspy = await import('tsdspy');
const afterImport = loaded();
const backend = tsdspy.redisBackend({ url: 'redis://127.0.0.1:1', queue: 'probe', module: './x.mjs', connectTimeoutMs: 300 });
const afterCreate = loaded();
await backend.open().catch(() => {});
process.stdout.write(JSON.stringify({ afterImport, afterCreate, afterOpen: loaded() }));
process.exit(0);
