import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRunDir } from '../run-dir/index.js';
import { reportData } from './data.js';
import { lineageDot } from './dot.js';
import { renderReportHtml } from './html.js';

export interface ReportOptions {
  /** Page title (default: the run dir). */
  title?: string;
}

/** The HTML report of a run dir, as a string (throws the run-dir errors of `readRunDir`). */
export function buildReport(runDir: string, options: ReportOptions = {}): string {
  return renderReportHtml(reportData(readRunDir(runDir), options));
}

/** Writes the HTML report of a run dir (default `<runDir>/report.html`) and returns its absolute path. */
export function writeReport(runDir: string, out?: string, options: ReportOptions = {}): string {
  const path = resolve(out ?? join(runDir, 'report.html'));
  writeFileSync(path, buildReport(runDir, options));
  return path;
}

/** The lineage of a run dir's candidates as Graphviz DOT (like `GEPAResult.toDot()`). */
export function runDirToDot(runDir: string): string {
  const view = readRunDir(runDir);
  return lineageDot({
    parents: view.candidates.map((c) => c.parents),
    scores: view.candidates.map((c) => c.valAggregate),
    bestIdx: view.bestIdx,
    discoveryEvalCounts: view.candidates.map((c) => c.discoveryMetricCalls),
  });
}
