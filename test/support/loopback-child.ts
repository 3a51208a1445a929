/** Runs a LoopbackServer in its own process (for benchmarks): prints its port, then serves until killed. */
import { LoopbackServer } from './loopback-server.js';

const server = await new LoopbackServer().start();
server.latencyMs = Number(process.argv[2] ?? 0);
process.stdout.write(`${server.port}\n`);
