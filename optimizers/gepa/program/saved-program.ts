import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyModule } from '../../../src/module/module.js';
import { type ProgramState, parseProgramState } from '../../../src/module/state.js';
import type { Candidate } from '../types.js';

/** In a `GEPA.compile` run dir: the seed program's saved state, so `tsdspy export` can write a loadable program. */
export const PROGRAM_FILE = 'program.json';

/** Records the program being optimized (once: a resumed run keeps the file of its first start). */
export function writeSeedProgram(runDir: string, program: AnyModule): void {
  const path = join(runDir, PROGRAM_FILE);
  if (!existsSync(path)) writeFileSync(path, `${JSON.stringify(program.dumpState(), null, 2)}\n`);
}

/** The seed program's state from a run dir, or undefined when the run was not a `GEPA.compile` of a program. */
export function readSeedProgram(runDir: string): ProgramState | undefined {
  const path = join(runDir, PROGRAM_FILE);
  if (!existsSync(path)) return undefined;
  return parseProgramState(JSON.parse(readFileSync(path, 'utf8')));
}

/**
 * The saved-program JSON (what `program.save()` writes and `program.load()` reads) of the seed program with a
 * candidate's texts: predictor components become instructions, the others (tool descriptions) text parameters.
 */
export function programStateWithTexts(seed: ProgramState, texts: Candidate, metadata: Record<string, unknown>): ProgramState {
  const predictors = Object.fromEntries(
    Object.entries(seed.predictors).map(([name, p]) => [
      name,
      texts[name] === undefined ? p : { ...p, instructions: texts[name] },
    ]),
  ) as ProgramState['predictors'];
  const parameters = { ...seed.parameters };
  for (const [name, text] of Object.entries(texts)) if (!(name in seed.predictors)) parameters[name] = text;
  return {
    ...seed,
    predictors,
    ...(Object.keys(parameters).length ? { parameters } : {}),
    metadata: { ...seed.metadata, ...metadata },
  };
}
