/**
 * Attacks from inside sandboxed code, at every isolation level (with and without the network namespace), with the
 * host process, an unrelated victim process and loopback listeners as witnesses.
 */
import {
  configure,
  type IsolationLevel,
  resetSandboxProbe,
  runSandboxed,
  SandboxIsolationError,
  sandboxGuarantees,
} from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DenialTargets, startDenialTargets } from './support/denial-targets.js';
import { reachable, startWitnesses, type Witnesses } from './support/witnesses.js';

let targets: DenialTargets;
let witnesses: Witnesses;
beforeAll(async () => {
  targets = await startDenialTargets();
  witnesses = await startWitnesses();
});
afterAll(async () => {
  await targets.close();
  await witnesses.close();
});

/** Every attack in one program; each entry is the error code it met, or `reached: …` when it got through. */
const attacks = (w: { host: number; victim: number; tcp: number; udp: number; listen: number }) => `
const proc = console.log.constructor('return process')();
const get = (name) => proc.getBuiltinModule(name);
const setTimeout = console.log.constructor('return setTimeout')();
const results = {};
const attempt = async (name, fn) => {
  try { results[name] = 'reached: ' + String(await fn()); } catch (e) { results[name] = String(e.code || e.name); }
};
results.pid = proc.pid;
results.ppid = proc.ppid;
await attempt('killHost', () => proc.kill(${w.host}, 'SIGKILL'));
await attempt('killVictim', () => proc.kill(${w.victim}, 'SIGKILL'));
await attempt('killParent', () => proc.kill(proc.ppid, 'SIGKILL'));
await attempt('binding', () => proc.binding('process_methods'));
await attempt('tcp', () => new Promise((resolve, reject) => {
  const socket = get('net').connect(${w.tcp}, '127.0.0.1');
  socket.on('connect', () => resolve('connected'));
  socket.on('error', reject);
}));
await attempt('udp', () => new Promise((resolve, reject) => {
  const socket = new (get('dgram').Socket)({ type: 'udp4', lookup: (host, options, cb) => cb(null, '127.0.0.1', 4) });
  socket.on('error', reject);
  socket.send('x', ${w.udp}, '127.0.0.1', (error) => (error ? reject(error) : resolve('sent')));
}));
await attempt('dns', () => {
  const resolver = new (get('dns').Resolver)();
  resolver.setServers(['127.0.0.1:${w.udp}']);
  return new Promise((resolve, reject) => resolver.resolve4('example.com', (error, a) => (error ? reject(error) : resolve(a))));
});
await attempt('listen', () => new Promise((resolve, reject) => {
  const server = new (get('net').Server)();
  server.on('error', reject);
  get('net').Server.prototype._listen2.call(server, '127.0.0.1', ${w.listen}, 4, -1);
  setTimeout(() => resolve('listening'), 100);
}));
// Stay alive a moment so the host can try the port.
await new Promise((resolve) => setTimeout(resolve, 1500));
return results;
`;

const levels: IsolationLevel[] = ['bwrap', 'unshare', 'process-only'];

describe.each(levels)('attacks under isolation %s', (isolation) => {
  it('reach no outside process, no host listener and no DNS/UDP server', async () => {
    const code = attacks({
      host: process.pid,
      victim: witnesses.victimPid,
      tcp: targets.port,
      udp: witnesses.udpPort,
      listen: witnesses.freePort,
    });
    const running = runSandboxed(code, { isolation, timeoutMs: 20_000 });
    let listenedOnHost = false;
    for (let i = 0; i < 10 && !listenedOnHost; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      listenedOnHost = await reachable(witnesses.freePort);
    }
    const result = await running;
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const value = (result.ok ? result.value : {}) as Record<string, unknown>;
    // Witnesses: the host and the victim live, no listener saw anything, nothing listened on the host.
    expect(witnesses.victimAlive()).toBe(true);
    expect(targets.connections()).toBe(0);
    expect(witnesses.datagrams()).toBe(0);
    expect(listenedOnHost).toBe(false);
    for (const name of ['killHost', 'killVictim', 'killParent', 'binding', 'tcp', 'udp', 'dns']) {
      expect(String(value[name]), name).not.toMatch(/^reached/);
    }
    if (isolation === 'process-only') {
      // Without namespaces the library blocks are the barrier: each attempt meets them.
      expect(value).toMatchObject({
        killHost: 'ERR_SANDBOX_SIGNAL',
        killVictim: 'ERR_SANDBOX_SIGNAL',
        tcp: 'ERR_SANDBOX_NETWORK',
        udp: 'ERR_SANDBOX_NETWORK',
        dns: 'ERR_SANDBOX_NETWORK',
        listen: 'ERR_SANDBOX_NETWORK',
      });
    } else {
      // Its own PID namespace: the sandbox is (almost) the only process it can see.
      expect(value.pid as number).toBeLessThanOrEqual(3);
      expect(value.ppid as number).toBeLessThanOrEqual(2);
    }
  }, 60_000);
});

describe('choosing the isolation', () => {
  it('refuses to run without namespaces unless process-only is opted into', async () => {
    process.env.TSDSPY_SANDBOX_UNAVAILABLE = 'bwrap,unshare';
    resetSandboxProbe();
    try {
      expect(sandboxGuarantees()).toMatchObject({ isolation: 'unavailable', available: { bwrap: false, unshare: false } });
      await expect(runSandboxed('return 1')).rejects.toBeInstanceOf(SandboxIsolationError);
      await expect(runSandboxed('return 1')).rejects.toThrow(/isolation: 'process-only'/);
      configure({ sandbox: { isolation: 'process-only' } });
      expect(sandboxGuarantees()).toMatchObject({ isolation: 'process-only', pidNamespace: false, network: 'none' });
      expect(await runSandboxed('return 1')).toMatchObject({ ok: true, value: 1 });
    } finally {
      configure({ sandbox: {} });
      delete process.env.TSDSPY_SANDBOX_UNAVAILABLE;
      resetSandboxProbe();
    }
  });

  it('falls back from bwrap to unshare, and reports what each level guarantees', () => {
    expect(sandboxGuarantees('bwrap')).toMatchObject({ isolation: 'bwrap', filesystem: 'empty-root', dieWithParent: true });
    expect(sandboxGuarantees('unshare')).toMatchObject({ isolation: 'unshare', pidNamespace: true, network: 'namespace' });
    process.env.TSDSPY_SANDBOX_UNAVAILABLE = 'bwrap';
    resetSandboxProbe();
    try {
      expect(sandboxGuarantees().isolation).toBe('unshare');
    } finally {
      delete process.env.TSDSPY_SANDBOX_UNAVAILABLE;
      resetSandboxProbe();
    }
  });

  it('bounds off-heap memory (typed arrays, Buffers), not only the V8 heap', async () => {
    const big = await runSandboxed('const a = new Uint8Array(2 * 1024 ** 3); a.fill(1); return a.length;', {
      memoryMb: 128,
      timeoutMs: 20_000,
    });
    expect(big).toMatchObject({ ok: false, kind: 'memory' });
    const buffers = await runSandboxed(
      'const proc = console.log.constructor("return process")(); const keep = []; for (let i = 0; i < 4096; i++) keep.push(proc.getBuiltinModule("buffer").Buffer.alloc(1 << 20, 1)); return keep.length;',
      { memoryMb: 128, timeoutMs: 30_000 },
    );
    expect(buffers).toMatchObject({ ok: false, kind: 'memory' });
  }, 60_000);

  it('copies results so that a __proto__ key never becomes a prototype', async () => {
    const result = await runSandboxed(
      'return JSON.parse(\'{"__proto__": {"polluted": true}, "y": 2, "deep": [{"__proto__": {"p": 1}}]}\')',
    );
    expect(result.ok).toBe(true);
    const value = (result.ok ? result.value : {}) as Record<string, unknown>;
    expect(value.y).toBe(2);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.assign({}, value)).not.toHaveProperty('polluted');
    expect(Object.assign({}, (value.deep as object[])[0])).not.toHaveProperty('p');
  });
});
