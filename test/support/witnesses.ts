/**
 * Witnesses for sandbox attacks: an unrelated victim process, a UDP listener that counts datagrams (also DNS queries
 * sent to it), and a check that nothing on the host answers on a port a sandboxed program tried to listen on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

export interface Witnesses {
  victimPid: number;
  victimAlive(): boolean;
  udpPort: number;
  datagrams(): number;
  /** A loopback port that is free now (for a sandboxed program to try to listen on). */
  freePort: number;
  close(): Promise<void>;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when something on the host accepts a TCP connection on 127.0.0.1:port. */
export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startWitnesses(): Promise<Witnesses> {
  const victim: ChildProcess = spawn('sleep', ['600'], { stdio: 'ignore' });
  let datagrams = 0;
  const udp = createSocket('udp4');
  udp.on('message', () => datagrams++);
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const freePort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return {
    victimPid: victim.pid as number,
    victimAlive: () => alive(victim.pid as number),
    udpPort: udp.address().port,
    datagrams: () => datagrams,
    freePort,
    close: async () => {
      victim.kill('SIGKILL');
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}
