import { spawn, spawnSync } from 'node:child_process';
import { TsdspyError } from '../errors/index.js';
import { NETWORK_BLOCK_SOURCE } from './network-block.js';
import { RUNNER_SOURCE } from './runner-source.js';

export interface SandboxOptions {
  /** Wall-clock limit for one run, including start-up (default 5,000 ms). */
  timeoutMs?: number;
  /** V8 heap limit of the child (default 128 MB). */
  memoryMb?: number;
  /** Cap on captured console output and on the reply size, in characters (default 100,000). */
  maxOutputChars?: number;
  /** A JSON value made available to the code as `input`. */
  input?: unknown;
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
 * What this machine's sandbox enforces. `network: 'namespace'` means the child runs in an empty network
 * namespace (no interfaces, not even loopback); `'none'` means it could not be isolated from the network.
 */
export interface SandboxGuarantees {
  network: 'namespace' | 'none';
  permissionModel: boolean;
}

let probed: { guarantees: SandboxGuarantees; prefix: string[]; permissionFlag: string } | undefined;

/** Detects, once, how children can be isolated here (`unshare -rn` for the network, Node's permission model). */
export function sandboxGuarantees(): SandboxGuarantees {
  return probe().guarantees;
}

/** Forgets the detected isolation (tests use it with TSDSPY_SANDBOX_NO_NETNS to exercise the fallback). */
export function resetSandboxProbe(): void {
  probed = undefined;
}

function probe() {
  if (probed) return probed;
  const major = Number(process.versions.node.split('.')[0]);
  const permissionFlag = major >= 22 ? '--permission' : '--experimental-permission';
  // TSDSPY_SANDBOX_NO_NETNS=1 forces the weaker mode (no network namespace), e.g. to test it.
  const unshare = process.env.TSDSPY_SANDBOX_NO_NETNS
    ? undefined
    : ['/usr/bin/unshare', '/bin/unshare'].find((path) => spawnSync(path, ['-rn', 'true'], { env: {} }).status === 0);
  const permission = spawnSync(process.execPath, [permissionFlag, '-e', '0'], { env: {} }).status === 0;
  probed = {
    guarantees: { network: unshare ? 'namespace' : 'none', permissionModel: permission },
    prefix: unshare ? [unshare, '-rn'] : [],
    permissionFlag: permission ? permissionFlag : '',
  };
  return probed;
}

/** The command line that starts an isolated Node process running `source` (shared by one-shot runs and the pool). */
export function isolationPrefix(memoryMb: number, source: string): { command: string; args: string[] } {
  const { prefix, permissionFlag } = probe();
  const nodeArgs = [
    ...(permissionFlag ? [permissionFlag] : []),
    `--max-old-space-size=${memoryMb}`,
    '--no-warnings',
    '--input-type=module',
    '-e',
    source.replace(/^(\s*import[^\n]*\n)+/, (imports) => `${imports}${NETWORK_BLOCK_SOURCE}\n`),
  ];
  const [command, ...args] = prefix.length ? [...prefix, process.execPath, ...nodeArgs] : [process.execPath, ...nodeArgs];
  return { command: command as string, args };
}

/**
 * Runs untrusted JavaScript (the body of an async function; `return` gives the value) in a separate Node process:
 * empty environment, Node's permission model with no file-system, child-process or worker access, a fresh V8
 * context without `require`/`process`, an empty network namespace when the machine allows it, and limits on
 * wall time, heap and output. Never throws for failures of the code itself: they come back as `{ ok: false }`.
 */
export function runSandboxed(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxOutputChars = options.maxOutputChars ?? 100_000;
  const { command, args } = isolationPrefix(options.memoryMb ?? 128, RUNNER_SOURCE);
  const started = performance.now();
  return new Promise((resolve, reject) => {
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
      if (/heap out of memory|Allocation failed|Reached heap limit/i.test(stderr)) {
        return finish(fail('memory', `Exceeded the memory limit of ${options.memoryMb ?? 128} MB`));
      }
      try {
        const reply = JSON.parse(stdout) as
          | { ok: true; value: unknown; logs: string[] }
          | { ok: false; error: { name: string; message: string; stack: string }; logs: string[] };
        if (reply.ok) return finish({ ...reply, durationMs });
        const kind: SandboxErrorKind = /Script execution timed out/.test(reply.error.message) ? 'timeout' : 'runtime';
        return finish({ ...reply, kind, durationMs });
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
