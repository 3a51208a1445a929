import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { InvalidStateError } from '../../../src/errors/index.js';
import { ProgramBuildError, programBundleCode } from '../../../src/sandbox/bundle.js';
import { defaultPool, type SandboxCallResult, type SandboxPool } from '../../../src/sandbox/pool.js';

export const PROGRAM_SOURCE_FORMAT = 'tsdspy.program-source';

const savedSchema = z.object({
  format: z.literal(PROGRAM_SOURCE_FORMAT),
  version: z.literal(1),
  filename: z.string(),
  source: z.string(),
  metadata: z.record(z.string(), z.unknown()),
});

/** The program raised an error, timed out or exceeded a limit inside the sandbox. */
export class ProgramRunError extends Error {
  constructor(readonly result: Extract<SandboxCallResult, { ok: false }>) {
    super(`Program ${result.kind === 'runtime' ? 'error' : result.kind}: ${result.error.message}`);
    this.name = 'ProgramRunError';
  }
}

/**
 * A whole tsdspy program as source text (TypeScript or JavaScript that imports from `tsdspy` and default-exports a
 * Module instance or a factory returning one). It only ever runs in the sandbox pool; LM calls inside it go to the
 * LM configured in the parent. GEPA can evolve it as a single `program` component.
 */
export class ProgramSource {
  readonly source: string;
  readonly filename: string;
  metadata: Record<string, unknown>;
  private readonly pool: SandboxPool | undefined;
  private bundle?: Promise<string>;

  constructor(source: string, options: { filename?: string; pool?: SandboxPool; metadata?: Record<string, unknown> } = {}) {
    this.source = source;
    this.filename = options.filename ?? 'program.ts';
    this.pool = options.pool;
    this.metadata = options.metadata ?? {};
  }

  static async fromFile(path: string, options: { pool?: SandboxPool } = {}): Promise<ProgramSource> {
    return new ProgramSource(await readFile(path, 'utf8'), { filename: basename(path), ...options });
  }

  /** A copy with other source text (same filename and pool). */
  withSource(source: string): ProgramSource {
    return new ProgramSource(source, { filename: this.filename, ...(this.pool ? { pool: this.pool } : {}) });
  }

  get hash(): string {
    return createHash('sha256').update(this.source).digest('hex').slice(0, 16);
  }

  /** Transpiles the source (cached); throws ProgramBuildError with line and column. */
  build(): Promise<string> {
    this.bundle ??= programBundleCode(this.source, this.filename);
    this.bundle.catch(() => undefined);
    return this.bundle;
  }

  /** Runs the program on inputs in the sandbox and reports the outcome and its predictor trace; never throws for program failures. */
  async run(inputs: Record<string, unknown>): Promise<SandboxCallResult> {
    let code: string;
    try {
      code = await this.build();
    } catch (error) {
      if (!(error instanceof ProgramBuildError)) throw error;
      return { ok: false, kind: 'load', error: { name: 'ProgramBuildError', message: error.message, stack: '' }, trace: [] };
    }
    return (this.pool ?? defaultPool()).call(code, inputs, this.filename.replace(/\.ts$/, '.js'));
  }

  /** Runs the program and returns its prediction, throwing ProgramBuildError or ProgramRunError on failure. */
  async call(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.build();
    const result = await this.run(inputs);
    if (!result.ok) throw new ProgramRunError(result);
    return result.value as Record<string, unknown>;
  }

  toJSON(): z.infer<typeof savedSchema> {
    return {
      format: PROGRAM_SOURCE_FORMAT,
      version: 1,
      filename: this.filename,
      source: this.source,
      metadata: { ...this.metadata },
    };
  }

  async save(path: string, metadata: Record<string, unknown> = {}): Promise<void> {
    this.metadata = { savedAt: new Date().toISOString(), ...this.metadata, ...metadata };
    await writeFile(path, `${JSON.stringify(this.toJSON(), null, 2)}\n`, 'utf8');
  }
}

/** Loads a saved program source: a runnable ProgramSource, still sandboxed. */
export async function loadProgram(path: string, options: { pool?: SandboxPool } = {}): Promise<ProgramSource> {
  const parsed = savedSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new InvalidStateError(`${path} is not a ${PROGRAM_SOURCE_FORMAT} file:\n${z.prettifyError(parsed.error)}`);
  return new ProgramSource(parsed.data.source, { filename: parsed.data.filename, metadata: parsed.data.metadata, ...options });
}
