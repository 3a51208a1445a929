import { currentLogLevel } from '../../../src/logger/logger.js';

/** A path as one shell word (quoted only when it needs to be). */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that opens the HTML report of a run dir. */
export function reportCommand(runDir: string): string {
  return `npx tsdspy report ${shellWord(runDir)} --open`;
}

/** Tells the user, in one stderr line at the end of a run, how to look at it (muted by logLevel 'silent'). */
export function announceReport(runDir: string): void {
  if (currentLogLevel() === 'silent') return;
  process.stderr.write(`tsdspy: to see this run, open its report: ${reportCommand(runDir)}\n`);
}
