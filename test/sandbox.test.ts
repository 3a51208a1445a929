import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runSandboxed, sandboxGuarantees } from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DenialTargets, startDenialTargets } from './support/denial-targets.js';

// Generated code may escape the vm context to the child's own `process`; every denial below is tested from there.
const ESCAPE = 'const proc = this.constructor.constructor("return process")();\nconst fs = proc.getBuiltinModule("fs");\n';

describe('sandbox', () => {
  let targets: DenialTargets;
  beforeAll(async () => {
    targets = await startDenialTargets();
  });
  afterAll(() => targets.close());

  it('reports what it enforces on this machine', () => {
    expect(sandboxGuarantees()).toMatchObject({
      isolation: 'bwrap',
      pidNamespace: true,
      network: 'namespace',
      filesystem: 'empty-root',
      memory: 'rlimit',
      permissionModel: true,
    });
  });

  it('runs code and returns its value and console output', async () => {
    const result = await runSandboxed('console.log("working", input.n); return input.n * 2;', { input: { n: 21 } });
    expect(result).toMatchObject({ ok: true, value: 42, logs: ['working 21'] });
  });

  it('reports runtime errors with the stack', async () => {
    const result = await runSandboxed('const x = null;\nreturn x.y;');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.kind).toBe('runtime');
      expect(result.error.name).toBe('TypeError');
      expect(result.error.stack).toContain('program.js:2');
    }
  });

  it('exposes no require, process or env to the code', async () => {
    expect(await runSandboxed('return [typeof require, typeof process, typeof globalThis.fetch]')).toMatchObject({
      value: ['undefined', 'undefined', 'undefined'],
    });
    process.env.TSDSPY_TEST_SECRET = 'sk-should-not-leak';
    const env = await runSandboxed(`${ESCAPE}return proc.env;`);
    expect(env).toMatchObject({ ok: true, value: {} });
  });

  it('denies file writes', async () => {
    const target = join(targets.dir, 'written.txt');
    const result = await runSandboxed(`${ESCAPE}fs.writeFileSync(${JSON.stringify(target)}, 'x'); return 'wrote';`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/Access to this API has been restricted|ERR_ACCESS_DENIED|permission/i);
    expect(existsSync(target)).toBe(false);
  });

  it('denies reading files', async () => {
    const result = await runSandboxed(`${ESCAPE}return fs.readFileSync(${JSON.stringify(targets.secret)}, 'utf8');`);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('TOP SECRET');
  });

  it('denies spawning processes and workers', async () => {
    const spawn = await runSandboxed(`${ESCAPE}return proc.getBuiltinModule("child_process").execSync("echo pwned").toString();`);
    expect(spawn.ok).toBe(false);
    const worker = await runSandboxed(
      `${ESCAPE}const { Worker } = proc.getBuiltinModule("worker_threads"); new Worker("1", { eval: true }); return "started";`,
    );
    expect(worker.ok).toBe(false);
  });

  it('denies network access, even to a loopback server', async () => {
    const code = `${ESCAPE}const net = proc.getBuiltinModule("net");
      return await new Promise((resolve) => {
        const socket = net.connect(${targets.port}, "127.0.0.1");
        socket.on("data", (d) => resolve("connected: " + d));
        socket.on("error", (e) => resolve("error: " + e.code));
      });`;
    const result = await runSandboxed(code);
    // Refused twice over: the network entry points throw, and the process has no network interfaces.
    expect(JSON.stringify(result)).toMatch(/Network access is denied|error: E/);
    expect(targets.connections()).toBe(0);
  });

  it('blocks network modules even without a network namespace (the weaker fallback mode)', async () => {
    {
      expect(sandboxGuarantees('process-only').network).toBe('none');
      const port = String(targets.port);
      const code = `${ESCAPE}
        const tries = [];
        const attempt = async (fn) => { try { await fn(); tries.push('reached'); } catch (e) { tries.push(e.code); } };
        await attempt(() => proc.getBuiltinModule('net').connect(${port}, '127.0.0.1'));
        await attempt(() => proc.getBuiltinModule('http').get('http://127.0.0.1:${port}'));
        await attempt(() => this.constructor.constructor('return fetch')()('http://127.0.0.1:${port}'));
        await attempt(() => proc.getBuiltinModule('dns').lookup('localhost', () => {}));
        return tries;`;
      const result = await runSandboxed(code, { isolation: 'process-only' });
      expect(result).toMatchObject({
        ok: true,
        value: ['ERR_SANDBOX_NETWORK', 'ERR_SANDBOX_NETWORK', 'ERR_SANDBOX_NETWORK', 'ERR_SANDBOX_NETWORK'],
      });
      expect(targets.connections()).toBe(0);
    }
    expect(sandboxGuarantees().network).toBe('namespace');
  });

  it('cuts infinite loops and memory blow-ups, and the parent survives', async () => {
    const loop = await runSandboxed('while (true) {}', { timeoutMs: 1000 });
    expect(loop).toMatchObject({ ok: false, kind: 'timeout' });
    const asyncLoop = await runSandboxed('await new Promise(() => {}); return 1;', { timeoutMs: 800 });
    expect(asyncLoop).toMatchObject({ ok: false, kind: 'timeout' });
    const memory = await runSandboxed('const keep = []; for (;;) keep.push(new Array(1e6).fill(7));', {
      memoryMb: 48,
      timeoutMs: 10_000,
    });
    expect(memory).toMatchObject({ ok: false, kind: 'memory' });
    const output = await runSandboxed('for (let i = 0; i < 1e5; i++) console.log("x".repeat(100)); return 1;', {
      maxOutputChars: 1000,
    });
    expect(output.ok && output.logs.at(-1)).toBe('[output truncated]');
    expect(await runSandboxed('return "still fine"')).toMatchObject({ ok: true, value: 'still fine' });
  }, 30_000);
});
