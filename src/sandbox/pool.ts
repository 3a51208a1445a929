import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { TsdspyError } from '../errors/index.js';
import type { LanguageModel, LMRequest } from '../lm/types.js';
import { logger } from '../logger/logger.js';
import { currentSettings } from '../settings/settings.js';
import { runtimeBundleCode } from './bundle.js';
import { FrameDecoder } from './frames.js';
import { type IsolationLevel, isolatedCommand } from './isolation.js';
import { withNetworkBlock } from './network-block.js';
import { safeCopy } from './safe-copy.js';
import { WORKER_SOURCE } from './worker-source.js';

export interface PoolOptions {
  /** Worker processes (default 2). Each runs one call at a time and serves one program source. */
  size?: number;
  /** Wall-clock limit per call, loading the program included (default 30,000 ms); an overrunning worker is replaced. */
  timeoutMs?: number;
  /** Memory limit per worker (default 256 MB): the V8 heap, and heap plus off-heap memory where rlimits work. */
  memoryMb?: number;
  /** Largest result, in characters (default 1,000,000). */
  maxOutputChars?: number;
  /** LM calls one program call may make (default 100); the next one fails the call with LMCallLimitError. */
  maxLMCalls?: number;
  /** Isolation of the workers (default: `configure({ sandbox })`, else `auto`; see sandboxGuarantees()). */
  isolation?: IsolationLevel;
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

/** A sandboxed program call made more LM calls than the pool's `maxLMCalls` allows. */
export class LMCallLimitError extends TsdspyError {}

interface WorkerMessage {
  type: string;
  nonce?: string;
  lmId?: number;
  ok?: boolean;
  value?: unknown;
  error?: { name: string; message: string; stack: string };
  trace?: SandboxTraceEntry[];
  request?: LMRequest;
}

/** The call a worker is serving: only LM requests carrying its nonce are forwarded, and only while it runs. */
interface ActiveCall {
  nonce: string;
  lm: LanguageModel | undefined;
  lmCalls: number;
  maxLMCalls: number;
  limitHit: boolean;
  resolve(message: WorkerMessage): void;
}

const CRASH = (message: string): WorkerMessage => ({
  type: 'exit',
  ok: false,
  error: { name: 'SandboxCrash', message, stack: '' },
});

/** A long-lived sandbox process serving one program source: the runtime is loaded once, then the program once. */
class Worker {
  readonly child: ChildProcess;
  /** Hash of the program source this worker serves (once loaded); it never serves another. */
  programKey: string | undefined;
  exited = false;
  /** Why the worker was stopped by the parent (output over the cap, protocol violation), if it was. */
  failure: 'output' | 'limit' | undefined;
  failureMessage = '';
  ready: Promise<void>;
  private active: ActiveCall | undefined;
  private stderr = '';
  private chatter = 0;
  private readonly stdin: Writable;

  constructor(
    command: string,
    args: string[],
    private readonly pool: SandboxPool,
    onExit: () => void,
  ) {
    this.child = spawn(command, args, { env: {}, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    this.stdin = this.child.stdin as Writable;
    this.stdin.on('error', () => undefined);
    const frames = new FrameDecoder(pool.maxFrameBytes);
    (this.child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      for (const event of frames.push(chunk)) {
        if ('error' in event) this.stop('output', `The sandbox worker's output was refused: ${event.error}`);
        else this.onMessage(event.frame as WorkerMessage);
      }
    });
    // stdout is chatter (console.log of programs): drained and counted, never buffered.
    (this.child.stdout as Readable).on('data', (chunk: Buffer) => {
      this.chatter += chunk.length;
      if (this.chatter > pool.maxChatterBytes)
        this.stop('output', `The program wrote more than ${pool.maxChatterBytes} bytes to stdout`);
    });
    (this.child.stderr as Readable).setEncoding('utf8').on('data', (chunk: string) => {
      if (this.stderr.length < 20_000) this.stderr += chunk.slice(0, 20_000 - this.stderr.length);
    });
    let readyResolve: (message: WorkerMessage) => void = () => undefined;
    const readyMessage = new Promise<WorkerMessage>((resolve) => {
      readyResolve = resolve;
    });
    this.initWaiter = readyResolve;
    this.child.on('exit', () => {
      this.exited = true;
      const crash = CRASH(this.crashMessage());
      this.initWaiter?.(crash);
      this.active?.resolve(crash);
      this.active = undefined;
      onExit();
    });
    this.child.on('error', () => undefined);
    this.ready = runtimeBundleCode().then(async (code) => {
      this.send({ type: 'init', code });
      const reply = await readyMessage;
      if (reply.type !== 'ready')
        throw new SandboxPoolError(`The sandbox runtime failed to start: ${reply.error?.message ?? this.crashMessage()}`);
    });
    this.ready.catch(() => undefined);
  }

  private initWaiter: ((message: WorkerMessage) => void) | undefined;

  get memoryExceeded(): boolean {
    return /heap out of memory|Allocation failed|Reached heap limit|Cannot allocate memory|std::bad_alloc/i.test(this.stderr);
  }

  /** Sends one request under a fresh nonce and waits for the reply that carries it. */
  request(message: Record<string, unknown>, lm?: LanguageModel, maxLMCalls = 0): Promise<WorkerMessage> & { call?: ActiveCall } {
    const nonce = randomBytes(16).toString('hex');
    let call: ActiveCall | undefined;
    const promise = new Promise<WorkerMessage>((resolve) => {
      if (this.exited) return resolve(CRASH(this.crashMessage()));
      call = { nonce, lm, lmCalls: 0, maxLMCalls, limitHit: false, resolve };
      this.active = call;
      this.chatter = 0;
      this.send({ ...message, nonce });
    });
    return Object.assign(promise, { call });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private stop(kind: 'output' | 'limit', message: string): void {
    if (this.failure) return;
    this.failure = kind;
    this.failureMessage = message;
    this.kill();
  }

  private send(message: Record<string, unknown>): void {
    if (!this.exited) this.stdin.write(`${JSON.stringify(message)}\n`);
  }

  private crashMessage(): string {
    if (this.failure) return this.failureMessage;
    if (this.memoryExceeded) return 'The sandbox process ran out of memory';
    return `The sandbox process ended unexpectedly${this.stderr ? `: ${this.stderr.slice(0, 1000)}` : ''}`;
  }

  private onMessage(message: WorkerMessage): void {
    if (!message || typeof message !== 'object') {
      this.stop('output', 'The sandbox worker sent a message that is not an object');
      return;
    }
    if (message.type === 'ready' || message.type === 'init-failed') {
      const waiter = this.initWaiter;
      this.initWaiter = undefined;
      waiter?.(message);
      return;
    }
    if (message.type === 'lm-request') {
      void this.answerLM(message);
      return;
    }
    const active = this.active;
    if (message.type !== 'result' || !active || message.nonce !== active.nonce) {
      this.pool.ignoredMessages++;
      logger.debug(`sandbox: ignored a worker message (${String(message.type)}) that answers no live call`);
      return;
    }
    this.active = undefined;
    active.resolve(message);
  }

  /** LM calls from inside the sandbox run here, in the parent, on the LM in force where the program was called. */
  private async answerLM(message: WorkerMessage): Promise<void> {
    const call = this.active;
    const reply = (body: Record<string, unknown>) => this.send({ type: 'lm-response', lmId: message.lmId, ...body });
    const refuse = (name: string, text: string) => reply({ error: { name, message: text } });
    if (!call || message.nonce !== call.nonce) {
      this.pool.refusedLMCalls++;
      return refuse(
        'SandboxLMRefusedError',
        'LM request refused: the program call that made it has already returned (leftover timers cannot call the LM)',
      );
    }
    if (call.lmCalls >= call.maxLMCalls) {
      // Over the cap: the call ends here and the worker, still running the program, is replaced.
      call.limitHit = true;
      this.pool.refusedLMCalls++;
      this.active = undefined;
      call.resolve({ type: 'result', ok: false, error: { name: 'LMCallLimitError', message: '', stack: '' } });
      this.stop('limit', `The program made more than ${call.maxLMCalls} LM calls in one call`);
      return;
    }
    call.lmCalls++;
    try {
      if (!call.lm)
        throw new Error('No LM is configured for sandboxed programs: call configure({ lm }) or use withSettings({ lm })');
      const response = await call.lm.call(message.request as LMRequest);
      reply({ response });
    } catch (error) {
      const e = error as Error;
      reply({ error: { name: e.name, message: e.message } });
    }
  }
}

/**
 * A pool of sandboxed Node processes for running LM-written programs: start-up is paid once per worker, not per
 * call. Each worker serves one program source only (a different source gets a fresh process), and runs with the
 * isolation of {@link sandboxGuarantees} (PID, user and network namespaces, an empty environment, Node's permission
 * model, memory rlimits), a wall-clock limit per call that covers loading, framed and capped output, and a cap on LM
 * calls. LM calls are proxied to the parent, so API keys never enter the sandbox.
 */
export class SandboxPool {
  readonly size: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly maxOutputChars: number;
  readonly maxLMCalls: number;
  /** Largest frame accepted from a worker, in bytes. */
  readonly maxFrameBytes: number;
  /** Largest stdout chatter accepted per call, in bytes. */
  readonly maxChatterBytes: number;
  /** Processes started so far (for tests and monitoring). */
  spawnCount = 0;
  /** LM requests refused (late ones, and ones over `maxLMCalls`). */
  refusedLMCalls = 0;
  /** Worker messages that answered no live call (e.g. a forged or late result). */
  ignoredMessages = 0;
  private readonly isolation: IsolationLevel | undefined;
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiters: Array<{ key: string; resolve: (worker: Worker) => void; reject: (error: unknown) => void }> = [];
  private closed = false;

  constructor(options: PoolOptions = {}) {
    this.size = options.size ?? 2;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.memoryMb = options.memoryMb ?? 256;
    this.maxOutputChars = options.maxOutputChars ?? 1_000_000;
    this.maxLMCalls = options.maxLMCalls ?? 100;
    this.maxFrameBytes = 4 * this.maxOutputChars + 8 * 1024 * 1024;
    this.maxChatterBytes = 2 * this.maxOutputChars + 1024 * 1024;
    this.isolation = options.isolation;
  }

  /** Loads (once per worker) and runs a program bundle on inputs. Never throws for failures of the program itself. */
  async call(code: string, inputs: unknown, filename = 'program.js'): Promise<SandboxCallResult> {
    const key = createHash('sha256').update(code).digest('hex');
    const lm = currentSettings().lm;
    const worker = await this.acquire(key);
    try {
      await worker.ready;
    } catch (error) {
      this.all.delete(worker);
      worker.kill();
      this.release(worker);
      throw error;
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      worker.kill();
    }, this.timeoutMs);
    const timeout = (trace: SandboxTraceEntry[]): SandboxCallResult => ({
      ok: false,
      kind: 'timeout',
      error: { name: 'TimeoutError', message: `The program ran longer than ${this.timeoutMs} ms (loading included)`, stack: '' },
      trace,
    });
    try {
      if (worker.programKey === undefined) {
        const loaded = await worker.request({ type: 'load', key, code, filename });
        if (timedOut) return timeout([]);
        if (!loaded.ok) return this.failure(worker, loaded, [], 'load');
        worker.programKey = key;
      }
      const pending = worker.request({ type: 'call', key, inputs, maxOutputChars: this.maxOutputChars }, lm, this.maxLMCalls);
      const call = pending.call;
      const reply = await pending;
      const trace = (safeCopy(reply.trace ?? []) as SandboxTraceEntry[]) ?? [];
      if (timedOut) return timeout(trace);
      if (call?.limitHit) {
        return {
          ok: false,
          kind: 'runtime',
          error: {
            name: 'LMCallLimitError',
            message: `The program made more than ${this.maxLMCalls} LM calls in one call (maxLMCalls)`,
            stack: '',
          },
          trace,
        };
      }
      if (reply.ok) return { ok: true, value: safeCopy(reply.value), trace };
      return this.failure(worker, reply, trace, 'runtime');
    } finally {
      clearTimeout(timer);
      this.release(worker);
    }
  }

  private failure(
    worker: Worker,
    reply: WorkerMessage,
    trace: SandboxTraceEntry[],
    otherwise: 'runtime' | 'load',
  ): SandboxCallResult {
    const error = reply.error ? (safeCopy(reply.error) as typeof unknownError) : unknownError;
    if (worker.failure === 'output') return { ok: false, kind: 'output', error, trace };
    if (worker.exited) return { ok: false, kind: worker.memoryExceeded ? 'memory' : 'crash', error, trace };
    if (error.name === 'OutputLimitError') return { ok: false, kind: 'output', error, trace };
    if (error.name === 'RangeError' && /allocation failed/i.test(error.message))
      return { ok: false, kind: 'memory', error, trace };
    return { ok: false, kind: otherwise, error, trace };
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const worker of this.all) worker.kill();
    this.all.clear();
    this.idle.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new SandboxPoolError('The sandbox pool is closed'));
  }

  /** A worker for this program: one already serving it, else a fresh one; a worker serving another program is replaced. */
  private async acquire(key: string): Promise<Worker> {
    if (this.closed) throw new SandboxPoolError('The sandbox pool is closed');
    const same = this.idle.findIndex((w) => w.programKey === key);
    if (same !== -1) return this.idle.splice(same, 1)[0] as Worker;
    const fresh = this.idle.findIndex((w) => w.programKey === undefined);
    if (fresh !== -1) return this.idle.splice(fresh, 1)[0] as Worker;
    if (this.all.size < this.size) return this.spawn();
    const other = this.idle.shift();
    if (other) return this.recycle(other);
    return new Promise((resolve, reject) => this.waiters.push({ key, resolve, reject }));
  }

  private release(worker: Worker): void {
    if (worker.exited || worker.failure) {
      this.all.delete(worker);
      worker.kill();
    }
    const dead = !this.all.has(worker);
    const waiter = this.waiters.shift();
    if (waiter) {
      try {
        if (dead) waiter.resolve(this.spawn());
        else waiter.resolve(worker.programKey === undefined || worker.programKey === waiter.key ? worker : this.recycle(worker));
      } catch (error) {
        waiter.reject(error);
      }
      return;
    }
    if (!dead) this.idle.push(worker);
  }

  /** Replaces a worker that serves another program: programs never share a process. */
  private recycle(worker: Worker): Worker {
    this.all.delete(worker);
    worker.kill();
    return this.spawn();
  }

  private spawn(): Worker {
    const { command, args } = isolatedCommand(withNetworkBlock(WORKER_SOURCE), {
      memoryMb: this.memoryMb,
      ...(this.isolation ? { isolation: this.isolation } : {}),
    });
    this.spawnCount++;
    const worker = new Worker(command, args, this, () => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at !== -1) this.idle.splice(at, 1);
    });
    this.all.add(worker);
    return worker;
  }
}

const unknownError = { name: 'Error', message: 'unknown sandbox failure', stack: '' };

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
