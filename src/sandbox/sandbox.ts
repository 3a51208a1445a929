import { spawn } from 'node:child_process';
import { TsdspyError } from '../errors/index.js';
import { type IsolationLevel, isolatedCommand } from './isolation.js';
import { withNetworkBlock } from './network-block.js';
import { RUNNER_SOURCE } from './runner-source.js';
import { safeCopy } from './safe-copy.js';

export interface SandboxOptions {
  /** Wall-clock limit for one run, including start-up (default 5,000 ms). */
  timeoutMs?: number;
  /** Memory limit of the child (default 128 MB): the V8 heap, and heap plus off-heap memory where rlimits work. */
  memoryMb?: number;
  /** Cap on captured console output and on the reply size, in characters (default 100,000). */
  maxOutputChars?: number;
  /** A JSON value made available to the code as `input`. */
  input?: unknown;
  /** Isolation (default: `configure({ sandbox })`, else `auto`; see sandboxGuarantees()). */
  isolation?: IsolationLevel;
}

export type SandboxErrorKind = 'runtime' | 'timeout' | 'memory' | 'output' | 'crash';

export type SandboxResult =
  | { ok: true; value: unknown; logs: string[]; durationMs: number }
  | {
      ok: false;
      kind: SandboxErrorKind;
      error: { name: string; message: string; stack: string };
      logs: string[];
      durationMs: number;
    };

/** Raised when the sandbox itself cannot start (not for errors of the code it runs). */
export class SandboxUnavailableError extends TsdspyError {}

/**
 * Runs untrusted JavaScript (the body of an async function; `return` gives the value) in a separate Node process:
 * empty environment, Node's permission model with no file-system, child-process or worker access, a fresh V8
 * context without `require`/`process`, an empty network namespace when the machine allows it, and limits on
 * wall time, heap and output. Never throws for failures of the code itself: they come back as `{ ok: false }`.
 */
export function runSandboxed(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxOutputChars = options.maxOutputChars ?? 100_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const { command, args } = isolatedCommand(withNetworkBlock(RUNNER_SOURCE), {
      memoryMb: options.memoryMb ?? 128,
      ...(options.isolation ? { isolation: options.isolation } : {}),
    });
    const child = spawn(command, args, { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let failure: SandboxErrorKind | undefined;
    const finish = (result: SandboxResult) => {
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      failure = 'timeout';
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.length > maxOutputChars * 2 + 10_000) {
        failure = 'output';
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new SandboxUnavailableError(`Could not start the sandbox process: ${error.message}`));
    });
    child.on('close', (exitCode, signal) => {
      const durationMs = performance.now() - started;
      const fail = (kind: SandboxErrorKind, message: string): SandboxResult => ({
        ok: false,
        kind,
        error: { name: 'SandboxError', message, stack: '' },
        logs: [],
        durationMs,
      });
      if (failure === 'timeout') return finish(fail('timeout', `Timed out after ${timeoutMs} ms`));
      if (failure === 'output') return finish(fail('output', `Output exceeded ${maxOutputChars} characters`));
      if (/heap out of memory|Allocation failed|Reached heap limit|Cannot allocate memory|std::bad_alloc/i.test(stderr)) {
        return finish(fail('memory', `Exceeded the memory limit of ${options.memoryMb ?? 128} MB`));
      }
      try {
        const reply = JSON.parse(stdout) as
          | { ok: true; value: unknown; logs: string[] }
          | { ok: false; error: { name: string; message: string; stack: string }; logs: string[] };
        const logs = Array.isArray(reply.logs) ? reply.logs.map(String) : [];
        if (reply.ok) return finish({ ok: true, value: safeCopy(reply.value), logs, durationMs });
        const error = safeCopy(reply.error) as typeof reply.error;
        const kind: SandboxErrorKind = /Script execution timed out/.test(error.message)
          ? 'timeout'
          : error.name === 'RangeError' && /allocation failed/i.test(error.message)
            ? 'memory'
            : 'runtime';
        return finish({ ok: false, error, kind, logs, durationMs });
      } catch {
        return finish(
          fail(
            'crash',
            `The sandbox process ended (code ${exitCode}, signal ${signal}) without a reply. ${stderr.slice(0, 2000)}`,
          ),
        );
      }
    });
    child.stdin.end(JSON.stringify({ code, timeoutMs, maxLogChars: maxOutputChars, input: options.input ?? null }));
  });
}
