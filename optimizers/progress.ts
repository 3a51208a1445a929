import cliProgress from 'cli-progress';

export interface ProgressHandle {
  tick(by?: number, label?: string): void;
  stop(): void;
}

const NOOP: ProgressHandle = { tick: () => undefined, stop: () => undefined };

/** A progress bar for an optimizer's main loop, on a TTY only (never in CI or when stderr is piped). */
export function optimizerProgress(
  name: string,
  total: number,
  enabled = true,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressHandle {
  if (!enabled || !stream.isTTY || process.env.CI || total <= 0) return NOOP;
  const bar = new cliProgress.SingleBar(
    { stream, format: `${name} |{bar}| {value}/{total} {label}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  let value = 0;
  return {
    tick(by = 1, label = '') {
      value = Math.min(total, value + by);
      bar.update(value, { label });
    },
    stop() {
      bar.stop();
    },
  };
}
