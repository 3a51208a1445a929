/** Sandboxed call overhead vs an in-process call, for a trivial program, with the pool warm (µs per call). */
import { Module, ProgramSource, SandboxPool } from 'tsdspy';

const SOURCE = `import { Module } from 'tsdspy';
class Echo extends Module { async forward(inputs: { x: number }) { return { y: inputs.x + 1 }; } }
export default new Echo();`;

class Echo extends Module<{ x: number }, { y: number }> {
  async forward(inputs: { x: number }) {
    return { y: inputs.x + 1 };
  }
}

export async function benchSandbox(calls = 2000): Promise<{ sandboxMicros: number; inProcessMicros: number; spawns: number }> {
  const pool = new SandboxPool({ size: 1 });
  try {
    const program = new ProgramSource(SOURCE, { pool });
    for (let i = 0; i < 200; i++) await program.call({ x: i }); // warm: process started, runtime and program loaded
    let t = performance.now();
    for (let i = 0; i < calls; i++) await program.call({ x: i });
    const sandboxMicros = ((performance.now() - t) * 1000) / calls;
    const local = new Echo();
    for (let i = 0; i < 1000; i++) await local.call({ x: i });
    t = performance.now();
    for (let i = 0; i < calls * 10; i++) await local.call({ x: i });
    const inProcessMicros = ((performance.now() - t) * 1000) / (calls * 10);
    return { sandboxMicros, inProcessMicros, spawns: pool.spawnCount };
  } finally {
    await pool.close();
  }
}
