import { currentSettings } from '../settings/settings.js';

/** How much tsdspy writes to stderr. `silent` mutes everything, including failure summaries. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in rank;
}

/** The level in force: `configure({ logLevel })` / `withSettings`, else `TSDSPY_LOG_LEVEL`, else `warn`. */
export function currentLogLevel(): LogLevel {
  const fromSettings = currentSettings().logLevel;
  if (fromSettings) return fromSettings;
  const fromEnv = process.env.TSDSPY_LOG_LEVEL?.toLowerCase();
  return isLogLevel(fromEnv) ? fromEnv : 'warn';
}

function write(level: Exclude<LogLevel, 'silent'>, message: string): void {
  if (rank[level] > rank[currentLogLevel()]) return;
  // Looked up at call time so tests (and users) can redirect process.stderr.
  process.stderr.write(`tsdspy ${level}: ${message}\n`);
}

/**
 * The library's one logger. Every failure the user must know about goes through here to stderr
 * (and, separately, into the result object of the run that saw it).
 */
export const logger = {
  error: (message: string) => write('error', message),
  warn: (message: string) => write('warn', message),
  info: (message: string) => write('info', message),
  debug: (message: string) => write('debug', message),
};
