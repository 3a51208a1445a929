import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { programStateWithTexts, readSeedProgram } from '../../../optimizers/gepa/program/saved-program.js';
import { CliUsageError, candidateAt, loadRun } from '../run-dir.js';

/** `tsdspy export <runDir> [--candidate i] [--program] [-o file]`: a candidate's texts, or a loadable saved program. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description("Export a candidate's texts as JSON, or (GEPA.compile runs) the saved program that program.load() reads")
    .argument('<runDir>', 'the run directory')
    .option('-c, --candidate <i>', 'which candidate (default: the best)')
    .option('-p, --program', 'write the saved-program JSON for program.load() (runs of GEPA.compile on a program)')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action((runDir: string, options: { candidate?: string; program?: boolean; out?: string }) => {
      const view = loadRun(runDir);
      const cand = candidateAt(view, options.candidate ?? String(view.bestIdx));
      let document: unknown;
      if (options.program) {
        const seed = readSeedProgram(runDir);
        if (!seed) {
          throw new CliUsageError(
            `${runDir} holds no saved program: --program works for runs of GEPA.compile on a program (optimize and optimizeAnything runs have only texts). Drop --program to export the texts.`,
          );
        }
        document = programStateWithTexts(seed, cand.texts, {
          exportedFrom: { runDir: view.dir, candidate: cand.idx, valScore: cand.valAggregate },
        });
      } else {
        document = { runDir: view.dir, candidate: cand.idx, valScore: cand.valAggregate, texts: cand.texts };
      }
      const json = `${JSON.stringify(document, null, 2)}\n`;
      if (options.out) {
        writeFileSync(options.out, json);
        process.stderr.write(
          `tsdspy: wrote candidate #${cand.idx}${options.program ? ' as a saved program' : ''} to ${options.out}\n`,
        );
      } else process.stdout.write(json);
    });
}
