import type { Command } from 'commander';
import type { RunDirView } from '../../../optimizers/gepa/run-dir/index.js';
import { paint, useColor } from '../colors.js';
import { loadRun } from '../run-dir.js';

const MAX_LISTED = 40;

/** `tsdspy show <runDir>`: a terminal summary of a GEPA run. */
export function registerShow(program: Command): void {
  program
    .command('show')
    .description('Summarize a GEPA run dir: candidates, best score, budget, iterations, merges, LM usage, best texts')
    .argument('<runDir>', 'the run directory (runDir of GEPA.compile / optimizeAnything / optimize)')
    .option('--json', 'print the summary as JSON')
    .action((runDir: string, options: { json?: boolean }) => {
      const view = loadRun(runDir);
      process.stdout.write(options.json ? `${JSON.stringify(summary(view), null, 2)}\n` : formatShow(view, useColor()));
    });
}

export function summary(view: RunDirView) {
  const accepted = view.iterations.filter((i) => i.accepted).length;
  const rejected = view.iterations.filter((i) => !i.accepted && (i.kind === 'reflection' || i.kind === 'merge')).length;
  const { task, reflection } = view.usage;
  return {
    dir: view.dir,
    finished: view.finished,
    stopReason: view.stopReason,
    candidates: view.candidates.length,
    bestIdx: view.bestIdx,
    bestScore: view.bestScore,
    metricCalls: view.totalMetricCalls,
    maxMetricCalls: view.maxMetricCalls,
    iterations: view.iterations.length,
    accepted,
    rejected,
    skipped: view.iterations.filter((i) => i.kind === 'skipped').length,
    merges: view.candidates.filter((c) => c.origin.kind === 'merge').length,
    errors: view.errors.length,
    lm: {
      calls: task.calls + reflection.calls,
      inputTokens: task.inputTokens + reflection.inputTokens,
      outputTokens: task.outputTokens + reflection.outputTokens,
      cost: task.cost + reflection.cost,
      task,
      reflection,
    },
    bestTexts: view.candidates[view.bestIdx]?.texts ?? {},
  };
}

export function formatShow(view: RunDirView, color: boolean): string {
  const c = paint(color);
  const s = summary(view);
  const num = (n: number) => n.toLocaleString('en-US');
  const usd = (n: number) => `$${n.toFixed(n > 0 && n < 0.01 ? 4 : 2)}`;
  const lines = [
    `${c.bold('GEPA run')} ${view.dir}  ${s.finished ? c.green('finished') : c.yellow('not finished')}${s.stopReason ? c.dim(` (${s.stopReason})`) : ''}`,
    `Candidates:   ${s.candidates} (${s.merges} from merges)`,
    `Best:         #${s.bestIdx}  score ${c.bold(s.bestScore.toFixed(4))}`,
    `Metric calls: ${num(s.metricCalls)}${s.maxMetricCalls !== null ? ` of ${num(s.maxMetricCalls)} budget` : ''}`,
    `Iterations:   ${s.iterations} (${s.accepted} accepted, ${s.rejected} rejected, ${s.skipped} skipped${s.errors ? `, ${c.red(`${s.errors} errors`)}` : ''})`,
    `LM:           ${num(s.lm.calls)} calls, ${num(s.lm.inputTokens)} in / ${num(s.lm.outputTokens)} out tokens, ${usd(s.lm.cost)}`,
    `              task ${num(s.lm.task.calls)} calls ${usd(s.lm.task.cost)} · reflection ${num(s.lm.reflection.calls)} calls ${usd(s.lm.reflection.cost)}`,
    '',
    c.bold('  #  parents   score    found at  how'),
  ];
  const order = [...view.candidates].sort((a, b) => b.valAggregate - a.valAggregate || a.idx - b.idx);
  const listed = view.candidates.length <= MAX_LISTED ? view.candidates : order.slice(0, MAX_LISTED);
  for (const cand of listed) {
    const how =
      cand.origin.kind === 'reflection'
        ? `reflection on ${cand.origin.components.join(', ')}`
        : cand.origin.kind === 'merge'
          ? `merge (ancestor #${cand.origin.ancestor})`
          : 'seed';
    const row = `${String(cand.idx).padStart(3)}  ${(cand.parents.join('+') || '-').padEnd(8)}  ${cand.valAggregate.toFixed(4)}  ${String(cand.discoveryMetricCalls).padStart(8)}  ${how}`;
    lines.push(cand.idx === view.bestIdx ? c.green(`${row}  ← best`) : row);
  }
  if (listed.length < view.candidates.length)
    lines.push(c.dim(`  … ${view.candidates.length - listed.length} more (best ${MAX_LISTED} shown)`));
  lines.push('', c.bold(`Best candidate #${s.bestIdx}:`));
  for (const [name, text] of Object.entries(s.bestTexts)) lines.push(c.cyan(`── ${name} ──`), text, '');
  return `${lines.join('\n')}\n`;
}
