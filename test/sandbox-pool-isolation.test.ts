/** SandboxPool: programs cannot reach each other, leftover work is refused, output is framed and capped, loads time out. */
import { chatReply, ProgramSource, SandboxPool, ScriptedLM, withSettings } from 'tsdspy';
import { afterAll, describe, expect, it } from 'vitest';

const pool = new SandboxPool({ size: 1, timeoutMs: 8000, memoryMb: 128, maxLMCalls: 5 });
afterAll(() => pool.close());

const ECHO = `import { Module } from 'tsdspy';
class Echo extends Module { async forward(inputs: { x: number }) { return { y: inputs.x + 1, json: JSON.stringify([1]) }; } }
export default new Echo();`;

describe('programs in one pool are isolated from each other', () => {
  it('a program that patches the runtime and globals does not change the next program', async () => {
    const patcher = new ProgramSource(
      `import { Module } from 'tsdspy';
      class Patch extends Module {
        async forward() {
          Module.prototype.call = async () => ({ y: 'hijacked' });
          JSON.stringify = () => '"hijacked"';
          Array.prototype.map = function () { return ['hijacked']; };
          return { patched: true };
        }
      }
      export default new Patch();`,
      { pool },
    );
    await patcher.run({});
    const spawned = pool.spawnCount;
    expect(await new ProgramSource(ECHO, { pool }).call({ x: 1 })).toEqual({ y: 2, json: '[1]' });
    expect(pool.spawnCount).toBe(spawned + 1); // a different source gets a fresh process
  }, 60_000);

  it('leftover timers neither forge results nor bill LM calls to a later call', async () => {
    const program = new ProgramSource(
      `import { Module, Predict } from 'tsdspy';
      const proc = console.log.constructor('return process')();
      const fs = proc.getBuiltinModule('fs');
      let calls = 0;
      class Leaky extends Module {
        step = new Predict('question -> answer');
        async forward(inputs: { question: string }) {
          calls++;
          if (calls === 1) {
            const { answer } = await this.step.call(inputs);
            // Leftovers: forged results for guessed ids and nonces, and LM calls after the call returned.
            setTimeout(() => {
              for (let id = 0; id < 20; id++) proc.stdout.write(JSON.stringify({ type: 'result', id, ok: true, value: { answer: 'forged' } }) + '\\n');
              const body = Buffer.from(JSON.stringify({ type: 'result', nonce: 'guess', ok: true, value: { answer: 'forged' } }));
              const head = Buffer.alloc(4); head.writeUInt32BE(body.length, 0);
              try { fs.writeSync(3, Buffer.concat([head, body])); } catch {}
              for (let i = 0; i < 3; i++) this.step.call({ question: 'late' }).catch(() => {});
            }, 100);
            return { answer };
          }
          await new Promise((resolve) => setTimeout(resolve, 600));
          const { answer } = await this.step.call(inputs);
          return { answer };
        }
      }
      export default new Leaky();`,
      { pool },
    );
    const first = new ScriptedLM(() => chatReply({ answer: 'first' }));
    const second = new ScriptedLM(() => chatReply({ answer: 'second' }));
    const refusedBefore = pool.refusedLMCalls;
    expect(await withSettings({ lm: first }, () => program.call({ question: 'one' }))).toEqual({ answer: 'first' });
    expect(await withSettings({ lm: second }, () => program.call({ question: 'two' }))).toEqual({ answer: 'second' });
    expect(first.callCount).toBe(1);
    expect(second.callCount).toBe(1);
    expect(pool.refusedLMCalls - refusedBefore).toBe(3);
  }, 60_000);

  it('caps LM calls per program call with a named error', async () => {
    const program = new ProgramSource(
      `import { Module, Predict } from 'tsdspy';
      class Chatty extends Module {
        step = new Predict('question -> answer');
        async forward() {
          for (let i = 0; i < 1000; i++) { try { await this.step.call({ question: String(i) }); } catch {} }
          return { done: true };
        }
      }
      export default new Chatty();`,
      { pool },
    );
    const lm = new ScriptedLM(() => chatReply({ answer: 'a' }));
    const result = await withSettings({ lm }, () => program.run({}));
    expect(result).toMatchObject({ ok: false, kind: 'runtime', error: { name: 'LMCallLimitError' } });
    expect(lm.callCount).toBe(5);
  }, 60_000);
});

describe('bounded, framed output', () => {
  it('700 MB written without a newline fails the call with kind output, and the parent and pool carry on', async () => {
    for (const fd of [1, 3]) {
      const flood = new ProgramSource(
        `import { Module } from 'tsdspy';
        const proc = console.log.constructor('return process')();
        class Flood extends Module {
          async forward() {
            const chunk = Buffer.alloc(1 << 20, 120);
            for (let i = 0; i < 700; i++) proc.getBuiltinModule('fs').writeSync(${fd}, chunk);
            return { done: true };
          }
        }
        export default new Flood();`,
        { pool },
      );
      expect(await flood.run({})).toMatchObject({ ok: false, kind: 'output' });
    }
    expect(await new ProgramSource(ECHO, { pool }).call({ x: 2 })).toMatchObject({ y: 3 });
  }, 60_000);
});

describe('load timeouts', () => {
  it('a top-level infinite loop or a factory that never settles times out, and the pool serves the next call', async () => {
    const small = new SandboxPool({ size: 1, timeoutMs: 2500, memoryMb: 128 });
    try {
      const loop = new ProgramSource(`import { Module } from 'tsdspy';\nwhile (true) {}\nexport default new Module();`, {
        pool: small,
      });
      expect(await loop.run({})).toMatchObject({ ok: false, kind: 'timeout' });
      const never = new ProgramSource(`export default () => new Promise(() => {});`, { pool: small });
      expect(await never.run({})).toMatchObject({ ok: false, kind: 'timeout' });
      expect(await new ProgramSource(ECHO, { pool: small }).call({ x: 3 })).toMatchObject({ y: 4 });
    } finally {
      await small.close();
    }
  }, 90_000);
});

describe('results and memory', () => {
  it('a __proto__ key in a result never becomes a prototype in the parent', async () => {
    const program = new ProgramSource(
      `import { Module } from 'tsdspy';
      class Proto extends Module { async forward() { return JSON.parse('{"__proto__": {"polluted": true}, "answer": "ok"}'); } }
      export default new Proto();`,
      { pool },
    );
    const value = await program.call({});
    expect(value.answer).toBe('ok');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.assign({}, value)).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 60_000);

  it('memoryMb bounds off-heap memory in pool workers', async () => {
    const program = new ProgramSource(
      `import { Module } from 'tsdspy';
      class Big extends Module { async forward() { const a = new Uint8Array(2 * 1024 ** 3); a.fill(1); return { n: a.length }; } }
      export default new Big();`,
      { pool },
    );
    expect(await program.run({})).toMatchObject({ ok: false, kind: 'memory' });
  }, 60_000);
});
