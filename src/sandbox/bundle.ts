import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsdspyError } from '../errors/index.js';

/** A program source that does not compile. `line` and `column` are 1-based, in the source as given. */
export class ProgramBuildError extends TsdspyError {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** The tsdspy entry the sandbox runtime is bundled from: `src/index.ts` when running from source, else this build. */
export function tsdspyEntry(): string {
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir)) {
      const candidate = join(dir, 'src', 'index.ts');
      if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    }
  }
  return here;
}

/** Provider SDKs are replaced by stubs inside the sandbox: its LM calls go to the parent, which holds the keys. */
const stubSDKs = {
  name: 'stub-provider-sdks',
  setup(build: import('esbuild').PluginBuild) {
    build.onResolve({ filter: /^(openai|@anthropic-ai\/sdk)(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'sdk-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-stub' }, () => ({
      contents:
        'export default class ProviderUnavailable { constructor() { throw new Error("Provider SDKs are not available inside the sandbox; LM calls are proxied to the parent."); } }',
      loader: 'js',
    }));
  },
};

const OPTIONAL_PEERS = ['bullmq', 'ioredis', '@lancedb/lancedb', 'apache-arrow', '@modelcontextprotocol/sdk', '@opentelemetry/*'];

let runtimeBundle: Promise<string> | undefined;

/** The tsdspy runtime as one CommonJS script for sandbox workers (built once per process). */
export function runtimeBundleCode(): Promise<string> {
  runtimeBundle ??= (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [tsdspyEntry()],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      plugins: [stubSDKs],
      // Optional peer dependencies (queue, vector store, telemetry, MCP) are loaded lazily and never inside the
      // sandbox; left out of the bundle they cost nothing (and native addons could not be bundled at all).
      external: OPTIONAL_PEERS,
      logLevel: 'silent',
      define: { 'import.meta.url': '"file:///sandbox/tsdspy-runtime.js"' },
    });
    return result.outputFiles[0]?.text ?? '';
  })();
  return runtimeBundle;
}

/** Transpiles a TS/JS program source into a CommonJS script whose only import is `tsdspy`. */
export async function programBundleCode(source: string, filename = 'program.ts'): Promise<string> {
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      stdin: {
        contents: source,
        sourcefile: filename,
        loader: filename.endsWith('.js') || filename.endsWith('.mjs') ? 'js' : 'ts',
      },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      target: 'node20',
      external: ['tsdspy'],
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? '';
  } catch (error) {
    const first = (
      error as { errors?: Array<{ text: string; location?: { line: number; column: number; lineText: string } | null }> }
    ).errors?.[0];
    if (!first) throw new ProgramBuildError(`Build failed: ${String(error)}`);
    const where = first.location;
    const message = where
      ? `${filename}:${where.line}:${where.column + 1}: ${first.text}\n  ${where.lineText}\n  ${' '.repeat(where.column)}^`
      : `${filename}: ${first.text}`;
    throw new ProgramBuildError(`Program build error: ${message}`, where?.line, where ? where.column + 1 : undefined);
  }
}
