import type { Metric } from '../../src/evaluate/metric.js';
import type { AnyModule } from '../../src/module/module.js';
import type { Callback } from '../../src/settings/callbacks.js';
import { currentSettings, withSettings } from '../../src/settings/settings.js';
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
  testScore: number;
  valScore: number;
  metricCalls: number;
  /** LM calls made while compiling (every predictor call, including the optimizer's own proposal programs, and reflection). */
  lmCalls: number;
  inputTokens: number;
  outputTokens: number;
  wallTimeMs: number;
}

export class Comparison {
  constructor(readonly rows: ComparisonRow[]) {}

  /** The row with the best test score. */
  get best(): ComparisonRow | undefined {
    return [...this.rows].sort((a, b) => b.testScore - a.testScore)[0];
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
    return `${[header.join(','), ...this.rows.map((r) => header.map((h) => String(r[h])).join(','))].join('\n')}\n`;
  }

  /** A fixed-width text table. */
  toTable(): string {
    const cells = [
      ['optimizer', 'test', 'val', 'metric calls', 'LM calls', 'tokens in', 'tokens out', 'wall time'],
      ...this.rows.map((r) => [
        r.optimizer,
        `${(r.testScore * 100).toFixed(1)}%`,
        `${(r.valScore * 100).toFixed(1)}%`,
        String(r.metricCalls),
        String(r.lmCalls),
        String(r.inputTokens),
        String(r.outputTokens),
        r.wallTimeMs < 1000 ? `${Math.round(r.wallTimeMs)} ms` : `${(r.wallTimeMs / 1000).toFixed(1)} s`,
      ]),
    ];
    const widths = (cells[0] as string[]).map((_, c) => Math.max(...cells.map((row) => (row[c] as string).length)));
    return cells
      .map((row) =>
        row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  '),
      )
      .join('\n');
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
  const rows: ComparisonRow[] = [];
  const score = async (program: AnyModule) => ({
    valScore: (await scoreProgram(program, options.valset, metric, concurrency)).score,
    testScore: (await scoreProgram(program, options.testset, metric, concurrency)).score,
  });

  rows.push({
    optimizer: 'baseline',
    ...(await score(options.program)),
    metricCalls: 0,
    lmCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    wallTimeMs: 0,
  });
  for (const [name, optimizer] of entries) {
    const counts = { lmCalls: 0, inputTokens: 0, outputTokens: 0 };
    const counter: Callback = {
      onLMEnd: (event) => {
        counts.lmCalls++;
        if (event.response?.usage && !event.response.cached) {
          counts.inputTokens += event.response.usage.inputTokens;
          counts.outputTokens += event.response.usage.outputTokens;
        }
      },
    };
    const started = performance.now();
    const compiled = await withSettings({ callbacks: [...(currentSettings().callbacks ?? []), counter] }, () =>
      optimizer.compile(options.program, options.trainset, options.valset),
    );
    const wallTimeMs = performance.now() - started;
    const metricCalls = (optimizer as { metricCalls?: number }).metricCalls ?? 0;
    rows.push({ optimizer: name, ...(await score(compiled)), metricCalls, ...counts, wallTimeMs });
  }
  const comparison = new Comparison(rows);
  if (options.print ?? true) console.log(comparison.toTable());
  return comparison;
}
