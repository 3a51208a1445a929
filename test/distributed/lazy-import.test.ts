import { spawnSync } from 'node:child_process';
import { BackendConfigError, BackendConnectionError, redisBackend } from 'tsdspy';
import { describe, expect, it } from 'vitest';

describe('redisBackend options and loading', () => {
  it('importing tsdspy does not load bullmq or ioredis; opening a backend does', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/lazy-probe.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(run.stdout)).toEqual({ afterImport: false, afterCreate: false, afterOpen: true });
  });

  it('refuses bad options with a named error, and an unreachable Redis after the connect timeout', async () => {
    expect(() => redisBackend({ url: 'http://x', queue: 'q', module: 'm.mjs' })).toThrow(BackendConfigError);
    expect(() => redisBackend({ url: 'redis://h:1', queue: 'a:b', module: 'm.mjs' })).toThrow(/no ":"/);
    expect(() => redisBackend({ url: 'redis://h:1', queue: 'q', module: 'm.mjs', extra: 1 } as never)).toThrow(
      BackendConfigError,
    );
    const backend = redisBackend({ url: 'redis://:secret@127.0.0.1:1', queue: 'q', module: 'm.mjs', connectTimeoutMs: 300 });
    const error = await backend.run([{ id: 'a', kind: 'k', payload: {} }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendConnectionError);
    expect(String(error)).not.toContain('secret');
  });
});
