import { type ChildProcess, spawn } from 'node:child_process';
import { stopProcess } from './redis-server.js';

export interface WorkerProcess {
  child: ChildProcess;
  id: string;
  /** Everything the worker wrote to stderr so far. */
  log(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

/** Starts `tsdspy worker` through the CLI entry (run by tsx, no build needed) and waits until it is ready. */
export async function startWorker(
  args: { url: string; queue: string; id: string; extra?: string[]; env?: Record<string, string> },
  waitReady = true,
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'worker',
      '--url',
      args.url,
      '--queue',
      args.queue,
      '--id',
      args.id,
      ...(args.extra ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TSDSPY_LOG_LEVEL: 'info', ...args.env } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal as string))),
  );
  if (waitReady) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${args.id} did not start:\n${stderr}`)), 60_000);
      const check = () => {
        if (stderr.includes('ready on queue')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr?.on('data', check);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`worker ${args.id} exited (${code}) before it was ready:\n${stderr}`));
      });
    });
  }
  return { child, id: args.id, log: () => stderr, exited, stop: () => stopProcess(child) };
}
