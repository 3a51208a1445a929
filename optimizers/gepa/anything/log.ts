import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';

interface EvaluationScope {
  logs: string[];
}

const scope = new AsyncLocalStorage<EvaluationScope>();
let warnedOutside = false;

/** Runs `fn` with its own log buffer; every `oa.log` in its async call tree lands there (and nowhere else). */
export function withEvaluationLogs<T>(logs: string[], fn: () => Promise<T>): Promise<T> {
  return scope.run({ logs }, fn);
}

/** The side-information channel of `optimizeAnything` evaluators. */
export const oa = {
  /** Records a line (formatted like console.log) for the evaluation in progress; the reflection LM reads it. */
  log(...args: unknown[]): void {
    const current = scope.getStore();
    if (!current) {
      if (!warnedOutside) {
        warnedOutside = true;
        process.emitWarning('oa.log() was called outside an optimizeAnything evaluation; the message was dropped.');
      }
      return;
    }
    current.logs.push(format(...args));
  },
};

let consolePatched = false;

/**
 * Makes console.log/info/warn/error inside an evaluation also append to that evaluation's logs (they still print).
 * Installed once per process; outside evaluations console behaves as usual.
 */
export function captureConsoleIntoLogs(): void {
  if (consolePatched) return;
  consolePatched = true;
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      scope.getStore()?.logs.push(`[console.${method}] ${format(...args)}`);
      original(...args);
    };
  }
}
