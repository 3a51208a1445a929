import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { TsdspyError } from '../errors/index.js';
import type { LanguageModel, LMRequest } from '../lm/types.js';
import { currentSettings } from '../settings/settings.js';
import { runtimeBundleCode } from './bundle.js';
import { isolationPrefix } from './sandbox.js';
import { WORKER_SOURCE } from './worker-source.js';

export interface PoolOptions {
  /** Worker processes (default 2). Each runs one call at a time. */
  size?: number;
  /** Wall-clock limit per call (default 30,000 ms); a worker that overruns is killed and replaced. */
  timeoutMs?: number;
  /** V8 heap limit per worker (default 256 MB). */
  memoryMb?: number;
  /** Largest result, in characters (default 1,000,000). */
  maxOutputChars?: number;
}

/** One predictor call made inside the sandbox, as reported back. */
export interface SandboxTraceEntry {
  predictorName: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  rawCompletion: string;
  error?: string;
}

export type SandboxCallResult =
  | { ok: true; value: unknown; trace: SandboxTraceEntry[] }
  | {
      ok: false;
      kind: 'runtime' | 'timeout' | 'memory' | 'output' | 'crash' | 'load';
      error: { name: string; message: string; stack: string };
      trace: SandboxTraceEntry[];
    };

/** A worker process could not be started or initialised. */
export class SandboxPoolError extends TsdspyError {}

interface Pending {
  resolve(message: WorkerMessage): void;
  lm: LanguageModel | undefined;
}

interface WorkerMessage {
  type: string;
  id: number;
  ok?: boolean;
  value?: unknown;
  error?: { name: string; message: string; stack: string };
  trace?: SandboxTraceEntry[];
  request?: LMRequest;
}

/** A long-lived sandbox process: the runtime is loaded once; programs are loaded once per source. */
class Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly loaded = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stderr = '';
  exited = false;
  ready: Promise<void>;

  constructor(command: string, args: string[], onExit: () => void) {
    this.child = spawn(command, args, { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.stderr.length < 20_000) this.stderr += chunk;
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    this.child.on('exit', () => {
      this.exited = true;
      const crash: WorkerMessage = {
        type: 'exit',
        id: -1,
        ok: false,
        error: { name: 'SandboxCrash', message: this.crashMessage(), stack: '' },
      };
      for (const p of this.pending.values()) p.resolve(crash);
      this.pending.clear();
      onExit();
    });
    this.child.on('error', () => undefined);
    this.ready = runtimeBundleCode().then(async (code) => {
      const reply = await this.request({ type: 'init', code });
      if (reply.type !== 'ready')
        throw new SandboxPoolError(`The sandbox runtime failed to start: ${reply.error?.message ?? this.crashMessage()}`);
    });
  }

  get memoryExceeded(): boolean {
    return /heap out of memory|Allocation failed|Reached heap limit/i.test(this.stderr);
  }

  request(message: Record<string, unknown>, lm?: LanguageModel): Promise<WorkerMessage> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      if (this.exited)
        return resolve({ type: 'exit', id, ok: false, error: { name: 'SandboxCrash', message: this.crashMessage(), stack: '' } });
      this.pending.set(id, { resolve, lm });
      this.child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private crashMessage(): string {
    if (this.memoryExceeded) return 'The sandbox process ran out of memory';
    return `The sandbox process ended unexpectedly${this.stderr ? `: ${this.stderr.slice(0, 1000)}` : ''}`;
  }

  private onLine(line: string): void {
    let message: WorkerMessage;
    try {
      message = JSON.parse(line) as WorkerMessage;
    } catch {
      return;
    }
    if (message.type === 'lm-request') {
      void this.answerLM(message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    pending.resolve(message);
  }

  /** LM calls from inside the sandbox run here, in the parent, on the LM in force where the call was made. */
  private async answerLM(message: WorkerMessage): Promise<void> {
    const owner = [...this.pending.values()].at(-1);
    const lm = owner?.lm;
    try {
      if (!lm) throw new Error('No LM is configured for sandboxed programs: call configure({ lm }) or use withSettings({ lm })');
      const response = await lm.call(message.request as LMRequest);
      if (!this.exited) this.child.stdin.write(`${JSON.stringify({ type: 'lm-response', id: message.id, response })}\n`);
    } catch (error) {
      const e = error as Error;
      if (!this.exited)
        this.child.stdin.write(
          `${JSON.stringify({ type: 'lm-response', id: message.id, error: { name: e.name, message: e.message } })}\n`,
        );
    }
  }
}

/**
 * A pool of sandboxed Node processes for running LM-written programs: start-up is paid once per worker, not per
 * call. Workers get an empty environment, Node's permission model with no file-system, child-process or worker
 * access, an empty network namespace when available, a heap limit, and a wall-clock limit per call (an overrunning
 * worker is killed and replaced). LM calls are proxied to the parent, so API keys never enter the sandbox.
 */
export class SandboxPool {
  readonly size: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly maxOutputChars: number;
  /** Processes started so far (for tests and monitoring). */
  spawnCount = 0;
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiters: Array<(worker: Worker) => void> = [];
  private closed = false;

  constructor(options: PoolOptions = {}) {
    this.size = options.size ?? 2;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.memoryMb = options.memoryMb ?? 256;
    this.maxOutputChars = options.maxOutputChars ?? 1_000_000;
  }

  /** Loads (once per worker) and runs a program bundle on inputs. Never throws for failures of the program itself. */
  async call(code: string, inputs: unknown, filename = 'program.js'): Promise<SandboxCallResult> {
    const key = createHash('sha256').update(code).digest('hex');
    const lm = currentSettings().lm;
    const worker = await this.acquire();
    let replace = false;
    try {
      await worker.ready;
      if (!worker.loaded.has(key)) {
        const loaded = await worker.request({ type: 'load', key, code, filename });
        if (!loaded.ok)
          return { ok: false, kind: worker.exited ? 'crash' : 'load', error: loaded.error ?? unknownError(), trace: [] };
        worker.loaded.add(key);
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        worker.kill();
      }, this.timeoutMs);
      const reply = await worker.request({ type: 'call', key, inputs, maxOutputChars: this.maxOutputChars }, lm);
      clearTimeout(timer);
      const trace = reply.trace ?? [];
      if (reply.ok) return { ok: true, value: reply.value, trace };
      if (timedOut)
        return {
          ok: false,
          kind: 'timeout',
          error: { name: 'TimeoutError', message: `The program ran longer than ${this.timeoutMs} ms`, stack: '' },
          trace,
        };
      if (worker.exited)
        return { ok: false, kind: worker.memoryExceeded ? 'memory' : 'crash', error: reply.error ?? unknownError(), trace };
      const kind = reply.error?.name === 'OutputLimitError' ? 'output' : 'runtime';
      return { ok: false, kind, error: reply.error ?? unknownError(), trace };
    } finally {
      replace = worker.exited;
      this.release(worker, replace);
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const worker of this.all) worker.kill();
    this.all.clear();
    this.idle.length = 0;
  }

  private async acquire(): Promise<Worker> {
    if (this.closed) throw new SandboxPoolError('The sandbox pool is closed');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.size < this.size) return this.spawn();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(worker: Worker, dead: boolean): void {
    if (dead) this.all.delete(worker);
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(dead ? this.spawn() : worker);
      return;
    }
    if (!dead) this.idle.push(worker);
  }

  private spawn(): Worker {
    const { command, args } = isolationPrefix(this.memoryMb, WORKER_SOURCE);
    this.spawnCount++;
    const worker = new Worker(command, args, () => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at !== -1) this.idle.splice(at, 1);
    });
    this.all.add(worker);
    return worker;
  }
}

function unknownError() {
  return { name: 'Error', message: 'unknown sandbox failure', stack: '' };
}

let sharedPool: SandboxPool | undefined;

/** The process-wide pool used by ProgramSource when none is given (closed automatically at exit). */
export function defaultPool(): SandboxPool {
  if (!sharedPool) {
    sharedPool = new SandboxPool();
    const pool = sharedPool;
    process.once('exit', () => void pool.close());
  }
  return sharedPool;
}
