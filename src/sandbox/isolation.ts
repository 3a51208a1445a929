import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { TsdspyError } from '../errors/index.js';
import { currentSettings } from '../settings/settings.js';

/**
 * How sandboxed processes are isolated from the host:
 * - `bwrap`: bubblewrap with every namespace (user, PID, network, mount, IPC, UTS), an empty root holding only the
 *   Node binary and its libraries (read-only), a new session, and death with the parent;
 * - `unshare`: `unshare -rpnm --fork --kill-child --mount-proc` (user, PID, network and mount namespaces);
 * - `process-only`: no namespaces (a weaker mode the user must opt into: Node's permission model, an empty environment
 *   and library-level blocks on the network and on signals are the only barriers);
 * - `auto` (default): `bwrap` when it works here, else `unshare`, else refuse.
 */
export type IsolationLevel = 'auto' | 'bwrap' | 'unshare' | 'process-only';

/** Sandbox settings: `configure({ sandbox: { isolation: 'process-only' } })`. */
export interface SandboxSettings {
  isolation?: IsolationLevel;
}

/** What a sandboxed process is kept from, with the level in force (see docs/sandbox.md for the test behind each line). */
export interface SandboxGuarantees {
  /** The level sandboxed processes start with here, or `unavailable` when none can (and none was opted into). */
  isolation: 'bwrap' | 'unshare' | 'process-only' | 'unavailable';
  /** Its own PID namespace: no outside process is visible or signalable. */
  pidNamespace: boolean;
  userNamespace: boolean;
  /** `namespace`: an empty network namespace (no route to the host, not even its loopback). */
  network: 'namespace' | 'none';
  /** `empty-root`: only Node and its libraries are mounted, read-only; `host`: the permission model alone guards files. */
  filesystem: 'empty-root' | 'host';
  /** The process dies when the parent does. */
  dieWithParent: boolean;
  /** `rlimit`: heap and off-heap memory (typed arrays, Buffers) are bounded; `heap-only`: only the V8 heap. */
  memory: 'rlimit' | 'heap-only';
  /** Node's permission model (no file system, child processes or workers). */
  permissionModel: boolean;
  /** What the machine offers, whatever the level chosen. */
  available: { bwrap: boolean; unshare: boolean; prlimit: boolean };
}

/** No isolation level that was asked for (or none at all, under `auto`) can start sandboxed code on this machine. */
export class SandboxIsolationError extends TsdspyError {}

interface Probe {
  bwrap: string | undefined;
  bwrapBinds: string[];
  unshare: string | undefined;
  setpriv: string | undefined;
  prlimit: string | undefined;
  permissionFlag: string;
}

let probed: Probe | undefined;

/** Forgets what was detected (tests use it). */
export function resetSandboxProbe(): void {
  probed = undefined;
}

const find = (...paths: string[]) => paths.find((path) => existsSync(path));

/** The Node binary and the shared libraries it loads, each bound read-only at its own path in an empty root. */
function nodeFileBinds(): string[] {
  const binds = new Set<string>([process.execPath]);
  const ldd = spawnSync('ldd', [process.execPath], { encoding: 'utf8', env: {} });
  if (ldd.status !== 0) return ['--ro-bind', '/usr', '/usr', ...['/lib', '/lib64', '/bin'].flatMap(symlinkOrBind)];
  for (const match of ldd.stdout.matchAll(/(?:=>\s*|^\s*)(\/\S+)\s+\(/gm)) binds.add(match[1] as string);
  return [...binds].flatMap((path) => ['--ro-bind', realpathSync(path), path]);
}

function symlinkOrBind(path: string): string[] {
  if (!existsSync(path)) return [];
  try {
    const real = realpathSync(path);
    return real === path ? ['--ro-bind', path, path] : ['--symlink', real.replace(/^\//, ''), path];
  } catch {
    return [];
  }
}

function works(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { env: {}, timeout: 20_000, stdio: 'ignore' });
  return result.status === 0;
}

/**
 * `TSDSPY_SANDBOX_UNAVAILABLE=bwrap,unshare` makes the probe treat those as missing: to force a level, or to test the
 * refusal and the opted-in weaker mode on a machine that has both.
 */
function disabled(name: string): boolean {
  return (process.env.TSDSPY_SANDBOX_UNAVAILABLE ?? '').split(',').includes(name);
}

function probe(): Probe {
  if (probed) return probed;
  const major = Number(process.versions.node.split('.')[0]);
  const permissionFlag = major >= 22 ? '--permission' : '--experimental-permission';
  const node = [process.execPath, permissionFlag, '--no-warnings', '-e', '0'];
  const bwrapPath = disabled('bwrap') ? undefined : find('/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap');
  const bwrapBinds = bwrapPath ? nodeFileBinds() : [];
  const bwrap = bwrapPath && works(bwrapPath, [...bwrapArgs(bwrapBinds), ...node]) ? bwrapPath : undefined;
  const unshareCandidate = disabled('unshare') ? undefined : find('/usr/bin/unshare', '/bin/unshare');
  const unshare = unshareCandidate && works(unshareCandidate, [...UNSHARE_ARGS, ...node]) ? unshareCandidate : undefined;
  const setpriv = find('/usr/bin/setpriv', '/bin/setpriv');
  const prlimitPath = find('/usr/bin/prlimit', '/bin/prlimit');
  const prlimit = prlimitPath && works(prlimitPath, ['--data=268435456:268435456', '--', ...node]) ? prlimitPath : undefined;
  const permission = works(process.execPath, [permissionFlag, '--no-warnings', '-e', '0']);
  probed = { bwrap, bwrapBinds, unshare, setpriv, prlimit, permissionFlag: permission ? permissionFlag : '' };
  return probed;
}

const UNSHARE_ARGS = ['-rpnm', '--fork', '--kill-child', '--mount-proc'];

function bwrapArgs(binds: string[]): string[] {
  return [
    '--unshare-all',
    '--unshare-user',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    ...binds,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--chdir',
    '/',
    '--',
  ];
}

/** The level asked for: the call's option, else `configure({ sandbox: { isolation } })`, else `auto`. */
export function requestedIsolation(option?: IsolationLevel): IsolationLevel {
  return option ?? currentSettings().sandbox?.isolation ?? 'auto';
}

/** The level that will run, or a SandboxIsolationError that says how to get one. */
export function resolveIsolation(option?: IsolationLevel): Exclude<IsolationLevel, 'auto'> {
  const requested = requestedIsolation(option);
  const found = probe();
  if (requested === 'process-only') return 'process-only';
  if (requested === 'bwrap' || (requested === 'auto' && found.bwrap)) {
    if (found.bwrap) return 'bwrap';
    throw new SandboxIsolationError(
      'Sandbox isolation "bwrap" was asked for but bubblewrap does not work here: install the Debian package `bubblewrap` and allow user namespaces, or choose { isolation: "auto" }.',
    );
  }
  if (found.unshare && (requested === 'unshare' || requested === 'auto')) return 'unshare';
  throw new SandboxIsolationError(
    `No sandbox isolation works on this machine: ${requested === 'unshare' ? '"unshare -rpn" failed' : 'neither bubblewrap (`bwrap`) nor `unshare -rpn` can create namespaces'}. Install bubblewrap and enable unprivileged user namespaces, or opt into the weaker mode explicitly with configure({ sandbox: { isolation: 'process-only' } }) (no PID or network namespace: see docs/sandbox.md).`,
  );
}

/** What sandboxed processes get here for a level (default: the one in force). */
export function sandboxGuarantees(isolation?: IsolationLevel): SandboxGuarantees {
  const found = probe();
  let level: SandboxGuarantees['isolation'];
  try {
    level = resolveIsolation(isolation);
  } catch (error) {
    if (!(error instanceof SandboxIsolationError)) throw error;
    level = 'unavailable';
  }
  const namespaced = level === 'bwrap' || level === 'unshare';
  return {
    isolation: level,
    pidNamespace: namespaced,
    userNamespace: namespaced,
    network: namespaced ? 'namespace' : 'none',
    filesystem: level === 'bwrap' ? 'empty-root' : 'host',
    dieWithParent: level === 'bwrap' || (level === 'unshare' && found.setpriv !== undefined),
    memory: found.prlimit ? 'rlimit' : 'heap-only',
    permissionModel: found.permissionFlag !== '',
    available: { bwrap: found.bwrap !== undefined, unshare: found.unshare !== undefined, prlimit: found.prlimit !== undefined },
  };
}

/** Off-heap allowance on top of `memoryMb`: what Node itself needs to start and load the tsdspy runtime. */
export const NODE_BASE_MEMORY_MB = 96;

/**
 * The command line that starts an isolated Node process running `source` as an ES module. Throws
 * SandboxIsolationError when no isolation level can run (and none weaker was opted into).
 */
export function isolatedCommand(
  source: string,
  options: { memoryMb: number; isolation?: IsolationLevel },
): { command: string; args: string[]; level: Exclude<IsolationLevel, 'auto'> } {
  const level = resolveIsolation(options.isolation);
  const found = probe();
  const node = [
    process.execPath,
    ...(found.permissionFlag ? [found.permissionFlag] : []),
    `--max-old-space-size=${options.memoryMb}`,
    '--no-warnings',
    '--input-type=module',
    '-e',
    source,
  ];
  const bytes = (options.memoryMb + NODE_BASE_MEMORY_MB) * 1024 * 1024;
  const limit = found.prlimit ? [found.prlimit, `--data=${bytes}:${bytes}`, '--core=0:0', '--'] : [];
  let isolated: string[];
  if (level === 'bwrap') isolated = [found.bwrap as string, ...bwrapArgs(found.bwrapBinds), ...node];
  else if (level === 'unshare') {
    const deathSignal = found.setpriv ? [found.setpriv, '--pdeathsig', 'KILL', '--'] : [];
    isolated = [...deathSignal, found.unshare as string, ...UNSHARE_ARGS, ...node];
  } else isolated = node;
  const [command, ...args] = [...limit, ...isolated];
  return { command: command as string, args, level };
}
