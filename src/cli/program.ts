import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerDiff } from './commands/diff.js';
import { registerExport } from './commands/export.js';
import { registerReport } from './commands/report.js';
import { registerShow } from './commands/show.js';
import { registerWorkerCommand } from './commands/worker.js';

/** The package version, read from the nearest package.json above this file (src/cli or dist). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tsdspy' && pkg.version) return pkg.version;
    } catch {
      // not here: look one level up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/**
 * The `tsdspy` command. Each subcommand lives in its own file under `commands/` and is registered here;
 * commands report failures as one line on stderr and a non-zero exit code, never a stack trace.
 */
export function buildCli(): Command {
  const program = new Command('tsdspy')
    .description('Inspect and operate tsdspy optimization runs.')
    .version(packageVersion())
    .showHelpAfterError();
  registerShow(program);
  registerReport(program);
  registerDiff(program);
  registerExport(program);
  registerWorkerCommand(program);
  return program;
}
