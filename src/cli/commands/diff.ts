import type { Command } from 'commander';
import { diffLines } from 'diff';
import type { CandidateView } from '../../../optimizers/gepa/run-dir/index.js';
import { paint, useColor } from '../colors.js';
import { candidateAt, loadRun } from '../run-dir.js';

/** `tsdspy diff <runDir> <i> <j>`: a coloured per-component diff of two candidates' texts. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description("Show a coloured per-component diff of two candidates' texts")
    .argument('<runDir>', 'the run directory')
    .argument('<i>', 'the candidate to diff from')
    .argument('<j>', 'the candidate to diff to')
    .option('--color', 'colour the output even when it is not a terminal')
    .option('--no-color', 'never colour the output')
    .action((runDir: string, i: string, j: string, options: { color?: boolean }) => {
      const view = loadRun(runDir);
      const from = candidateAt(view, i);
      const to = candidateAt(view, j);
      const color = options.color === undefined ? useColor() : options.color;
      process.stdout.write(formatDiff(from, to, color));
    });
}

export function formatDiff(from: CandidateView, to: CandidateView, color: boolean): string {
  const c = paint(color);
  const out = [
    c.bold(`--- candidate #${from.idx} (score ${from.valAggregate.toFixed(4)})`),
    c.bold(`+++ candidate #${to.idx} (score ${to.valAggregate.toFixed(4)})`),
  ];
  const names = [...new Set([...Object.keys(from.texts), ...Object.keys(to.texts)])];
  for (const name of names) {
    const a = from.texts[name] ?? '';
    const b = to.texts[name] ?? '';
    if (a === b) {
      out.push(c.dim(`== ${name}: unchanged`));
      continue;
    }
    out.push(c.cyan(`@@ ${name}`));
    for (const part of diffLines(ensureNewline(a), ensureNewline(b))) {
      const mark = part.added ? '+' : part.removed ? '-' : ' ';
      const paintLine = part.added ? c.green : part.removed ? c.red : (t: string) => t;
      for (const line of part.value.replace(/\n$/, '').split('\n')) out.push(paintLine(`${mark} ${line}`));
    }
  }
  return `${out.join('\n')}\n`;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
