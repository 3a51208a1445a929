import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { writeReport } from '../../../optimizers/gepa/report/report.js';
import { serveReport } from '../../../optimizers/gepa/report/serve.js';
import { CliUsageError } from '../run-dir.js';

interface ReportOptions {
  out?: string;
  open?: boolean;
  serve?: boolean;
  port?: string;
}

/** `tsdspy report <runDir> [-o report.html] [--open] [--serve [--port N]]`: the HTML report, as a file or live. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write the self-contained HTML report of a run dir, or serve it live while the run grows')
    .argument('<runDir>', 'the run directory')
    .option('-o, --out <file>', 'where to write the report (default: <runDir>/report.html)')
    .option('--open', 'open the report in the default browser ($BROWSER if set)')
    .option('--serve', 'serve a live report on 127.0.0.1 that refreshes as the run dir grows')
    .option('--port <n>', 'port for --serve (default: a free port)')
    .action(async (runDir: string, options: ReportOptions) => {
      if (options.serve) return serve(runDir, options);
      if (options.port) throw new CliUsageError('--port only applies with --serve');
      const path = writeReport(runDir, options.out);
      process.stdout.write(`${path}\n`);
      if (options.open) openInBrowser(path);
    });
}

async function serve(runDir: string, options: ReportOptions): Promise<void> {
  if (options.out) throw new CliUsageError('-o writes a file; --serve serves the report instead. Use one of them.');
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliUsageError(`--port must be a port number, not "${options.port}"`);
  const server = await serveReport(runDir, { port });
  process.stdout.write(`Serving the live report of ${runDir} at ${server.url} (Ctrl-C to stop)\n`);
  if (options.open) openInBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Opens a file or URL with $BROWSER, else the platform's opener; detached, so the command returns at once. */
function openInBrowser(target: string): void {
  const [command, ...args] = process.env.BROWSER
    ? [process.env.BROWSER, target]
    : process.platform === 'darwin'
      ? ['open', target]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', target]
        : ['xdg-open', target];
  const child = spawn(command as string, args, { detached: true, stdio: 'ignore' });
  child.on('error', (error) =>
    process.stderr.write(`tsdspy: could not open a browser (${error.message}); open ${target} yourself\n`),
  );
  child.unref();
}
