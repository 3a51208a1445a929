import { assertInputKeys } from '../../src/data/example.js';
import { errorMessage, errorName } from '../../src/evaluate/failures.js';
import type { Metric } from '../../src/evaluate/metric.js';
import { emptyUsage, meterUsage, type RunUsage } from '../../src/lm/usage-meter.js';
import { logger } from '../../src/logger/logger.js';
import type { AnyModule } from '../../src/module/module.js';
import { type ExampleLike, type Optimizer, OptimizerConfigError } from '../optimizer.js';
import { type AnyMetric, type DefaultExample, type DefaultPrediction, eraseMetric, scoreProgram } from '../shared.js';

export interface CompareOptions<Prog extends AnyModule, E = DefaultExample, P = DefaultPrediction> {
  program: Prog;
  trainset: readonly ExampleLike[];
  valset: readonly ExampleLike[];
  testset: readonly ExampleLike[];
  optimizers: Record<string, Optimizer>;
  /** Scores val and test; defaults to the first optimizer's own metric. */
  metric?: Metric<E, P>;
  concurrency?: number;
  /** Print the table (default true). */
  print?: boolean;
}

export interface ComparisonRow {
  optimizer: string;
  /** Undefined when the optimizer threw (see `error`). */
  testScore?: number;
  valScore?: number;
  /** The optimizer threw: its error's name and message. Other rows are unaffected. */
  error?: { name: string; message: string };
  metricCalls: number;
  /** LM calls made while compiling (every predictor call, including the optimizer's own proposal programs, and reflection). */
  lmCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** The same compile's LM usage split into the program's calls (`task`) and the optimizer's own (`proposer`). */
  usage: RunUsage;
  wallTimeMs: number;
}

export class Comparison {
  constructor(readonly rows: ComparisonRow[]) {}

  /** The row with the best test score (rows of optimizers that threw are never best). */
  get best(): ComparisonRow | undefined {
    return [...this.rows]
      .filter((r) => r.testScore !== undefined)
      .sort((a, b) => (b.testScore as number) - (a.testScore as number))[0];
  }

  toJSON(): { rows: ComparisonRow[] } {
    return { rows: this.rows.map((r) => ({ ...r })) };
  }

  toCSV(): string {
    const header: (keyof ComparisonRow)[] = [
      'optimizer',
      'testScore',
      'valScore',
      'metricCalls',
      'lmCalls',
      'inputTokens',
      'outputTokens',
      'wallTimeMs',
    ];
    const cell = (r: ComparisonRow, h: keyof ComparisonRow) => (r[h] === undefined ? '' : String(r[h]));
    const rows = this.rows.map((r) => [...header.map((h) => cell(r, h)), csvQuote(errorText(r))].join(','));
    return `${[[...header, 'error'].join(','), ...rows].join('\n')}\n`;
  }

  /** A fixed-width text table. */
  toTable(): string {
    const cells = [
      ['optimizer', 'test', 'val', 'metric calls', 'LM calls', 'task / proposer', 'tokens in', 'tokens out', 'wall time'],
      ...this.rows.map((r) => [
        r.optimizer,
        percent(r.testScore),
        percent(r.valScore),
        String(r.metricCalls),
        String(r.lmCalls),
        `${r.usage.task.lmCalls} / ${r.usage.proposer.lmCalls}`,
        String(r.inputTokens),
        String(r.outputTokens),
        r.wallTimeMs < 1000 ? `${Math.round(r.wallTimeMs)} ms` : `${(r.wallTimeMs / 1000).toFixed(1)} s`,
      ]),
    ];
    const widths = (cells[0] as string[]).map((_, c) => Math.max(...cells.map((row) => (row[c] as string).length)));
    const table = cells.map((row) =>
      row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  '),
    );
    const failed = this.rows.filter((r) => r.error).map((r) => `${r.optimizer} failed: ${errorText(r)}`);
    return [...table, ...failed].join('\n');
  }
}

/**
 * Compiles the program with each optimizer and measures the result side by side: test and valset scores, metric
 * calls, LM calls, tokens and wall time. The baseline (the program as given) is the first row.
 */
export async function compareOptimizers<Prog extends AnyModule, E = DefaultExample, P = DefaultPrediction>(
  options: CompareOptions<Prog, E, P>,
): Promise<Comparison> {
  const entries = Object.entries(options.optimizers);
  const own = (entries[0]?.[1] as { options?: { metric?: Metric<E, P> } } | undefined)?.options?.metric;
  const given = options.metric ?? own;
  const metric: AnyMetric | undefined = given ? eraseMetric(given) : undefined;
  if (typeof metric !== 'function')
    throw new OptimizerConfigError('compareOptimizers needs a metric (or optimizers that carry one)');
  const concurrency = options.concurrency ?? 8;
  for (const [which, set] of [
    ['trainset', options.trainset],
    ['valset', options.valset],
    ['testset', options.testset],
  ] as const)
    assertInputKeys(set, `compareOptimizers (${which})`);
  const rows: ComparisonRow[] = [];
  const score = async (program: AnyModule, name: string) => ({
    valScore: (await scoreProgram(program, options.valset, metric, concurrency, { label: `compareOptimizers (${name}, valset)` }))
      .score,
    testScore: (
      await scoreProgram(program, options.testset, metric, concurrency, { label: `compareOptimizers (${name}, testset)` })
    ).score,
  });
  const totals = (usage: RunUsage) => ({
    lmCalls: usage.task.lmCalls + usage.proposer.lmCalls,
    inputTokens: usage.task.inputTokens + usage.proposer.inputTokens,
    outputTokens: usage.task.outputTokens + usage.proposer.outputTokens,
  });

  const none = emptyUsage();
  rows.push({
    optimizer: 'baseline',
    ...(await score(options.program, 'baseline')),
    metricCalls: 0,
    ...totals(none),
    usage: none,
    wallTimeMs: 0,
  });
  for (const [name, optimizer] of entries) {
    const usage = emptyUsage();
    const started = performance.now();
    let compiled: AnyModule;
    try {
      compiled = await meterUsage(usage, () => optimizer.compile(options.program, options.trainset, options.valset));
    } catch (error) {
      // One failing optimizer gets an error row; the comparison goes on.
      logger.warn(`compareOptimizers: ${name} threw: ${errorName(error)}: ${errorMessage(error)}`);
      const metricCalls = (optimizer as { metricCalls?: number }).metricCalls ?? 0;
      rows.push({
        optimizer: name,
        error: { name: errorName(error), message: errorMessage(error) },
        metricCalls,
        ...totals(usage),
        usage,
        wallTimeMs: performance.now() - started,
      });
      continue;
    }
    const wallTimeMs = performance.now() - started;
    const metricCalls = (optimizer as { metricCalls?: number }).metricCalls ?? 0;
    rows.push({ optimizer: name, ...(await score(compiled, name)), metricCalls, ...totals(usage), usage, wallTimeMs });
  }
  const comparison = new Comparison(rows);
  if (options.print ?? true) console.log(comparison.toTable());
  return comparison;
}

function percent(score: number | undefined): string {
  return score === undefined ? '—' : `${(score * 100).toFixed(1)}%`;
}

function errorText(row: ComparisonRow): string {
  return row.error ? `${row.error.name}: ${row.error.message.split('\n')[0]}` : '';
}

function csvQuote(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
