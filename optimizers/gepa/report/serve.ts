import { statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { RunDirNotFoundError } from '../errors.js';
import { EVENTS_FILE, readRunDir, STATE_FILE } from '../run-dir/index.js';
import { type ReportData, reportData } from './data.js';
import { renderReportHtml } from './html.js';

export interface ServeOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** How often the page asks whether the run dir changed, in ms (default 1000). */
  pollMs?: number;
  title?: string;
}

export interface ReportServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Changes whenever the run dir's files do: sizes and modification times of its state and event log. */
export function runDirVersion(runDir: string): string {
  return [STATE_FILE, EVENTS_FILE, 'journal.log']
    .map((name) => {
      try {
        const st = statSync(join(runDir, name));
        return `${st.size}-${st.mtimeMs}`;
      } catch {
        return '-'; // not written yet
      }
    })
    .join('.');
}

/**
 * Serves the live report of a run dir on 127.0.0.1: the page polls `/version` and reloads `/data.json` when the
 * run dir has grown, so a run can be watched while it runs. A run dir without a state yet shows an empty report.
 */
export async function serveReport(runDir: string, options: ServeOptions = {}): Promise<ReportServer> {
  const poll = options.pollMs ?? 1000;
  let cached: { version: string; data: ReportData; error: string | null } | undefined;
  const current = () => {
    const version = runDirVersion(runDir);
    if (cached?.version === version) return cached;
    try {
      cached = { version, data: reportData(readRunDir(runDir), options), error: null };
    } catch (error) {
      // Not started yet: an empty page that fills in. Anything else: keep the last good data and say why.
      if (!(error instanceof RunDirNotFoundError) && cached) {
        cached = { ...cached, error: error instanceof Error ? error.message : String(error) };
        return cached;
      }
      if (!(error instanceof RunDirNotFoundError)) throw error;
      cached = { version, data: emptyReport(runDir, options.title), error: null };
    }
    return cached;
  };
  const server = createServer((req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/') {
        const { data, version } = current();
        return send(res, 200, 'text/html; charset=utf-8', renderReportHtml(data, { poll, version }));
      }
      if (path === '/version') return send(res, 200, 'text/plain', current().version);
      if (path === '/data.json') return send(res, 200, 'application/json', JSON.stringify(current().data));
      send(res, 404, 'text/plain', 'not found');
    } catch (error) {
      send(res, 500, 'text/plain', error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function emptyReport(runDir: string, title?: string): ReportData {
  return {
    version: 1,
    title: title ?? `GEPA run: ${runDir} (waiting for the run to start)`,
    dir: runDir,
    generatedAt: new Date().toISOString(),
    finished: false,
    stopReason: null,
    components: [],
    valCount: 0,
    valIds: [],
    totalMetricCalls: 0,
    maxMetricCalls: null,
    bestIdx: 0,
    bestScore: Number.NaN,
    usage: {
      task: { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 },
      reflection: { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 },
    },
    candidates: [],
    scores: { exact: [] },
    rejected: [],
    iterations: [],
    frontier: { rows: [], bucket: 1, cols: 0, base64: '', hidden: 0 },
    errors: [],
  };
}
