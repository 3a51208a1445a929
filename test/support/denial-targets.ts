/** Things sandboxed code must not reach: a secret file, a writable folder and a loopback server that counts connections. */
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DenialTargets {
  dir: string;
  secret: string;
  port: number;
  connections(): number;
  close(): Promise<void>;
}

export async function startDenialTargets(): Promise<DenialTargets> {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-targets-'));
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'TOP SECRET');
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    dir,
    secret,
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
