import cliProgress from 'cli-progress';
import type { GEPACallback } from './events.js';

/** A one-line progress bar on a TTY (iteration, metric calls, best score); nothing elsewhere, e.g. in CI. */
export function progressCallback(
  totalCalls: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): GEPACallback | null {
  if (!stream.isTTY || process.env.CI) return null;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'GEPA |{bar}| {value}/{total} metric calls · iteration {iteration} · best {best}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let best = Number.NEGATIVE_INFINITY;
  let iteration = 0;
  bar.start(totalCalls ?? 0, 0, { iteration, best: '-' });
  return {
    budgetUpdated: (e) => bar.update(e.used, { iteration, best: Number.isFinite(best) ? best.toFixed(3) : '-' }),
    iterationStart: (e) => {
      iteration = e.iteration;
    },
    valsetEvaluated: (e) => {
      best = Math.max(best, e.score);
    },
    runEnd: () => bar.stop(),
  };
}
