import { AsyncLocalStorage } from 'node:async_hooks';
import type { Adapter } from '../adapters/adapter.js';
import type { LanguageModel, LMCallConfig } from '../lm/types.js';
import type { UsageRole } from '../lm/usage-meter.js';
import type { LogLevel } from '../logger/logger.js';
import type { SandboxSettings } from '../sandbox/isolation.js';
import type { TelemetrySettings } from '../telemetry/types.js';
import type { Callback } from './callbacks.js';

export interface Settings {
  lm?: LanguageModel;
  adapter?: Adapter;
  callbacks?: Callback[];
  /** Sampling overrides applied to every predictor call in scope (over each predictor's own config). */
  config?: LMCallConfig;
  /** Advice per predictor (keyed by the predictor object), shown to it as an extra `hint_` input (used by Refine). */
  hints?: ReadonlyMap<object, string>;
  /** How much the library writes to stderr (default `warn`, or `TSDSPY_LOG_LEVEL`). */
  logLevel?: LogLevel;
  /** Errors `Evaluate` tolerates before it stops (default 10, as DSPy). */
  maxErrors?: number;
  /** Whose LM calls these are in usage totals: the program's (`task`, default) or the optimizer's (`proposer`). */
  usageRole?: UsageRole;
  /** OpenTelemetry spans (when `@opentelemetry/api` is installed); content capture is opt-in. */
  telemetry?: TelemetrySettings;
  /** How LM-written code is isolated, e.g. `{ isolation: 'process-only' }` to opt into the weaker mode (docs/sandbox.md). */
  sandbox?: SandboxSettings;
}

let globalSettings: Settings = {};
const scoped = new AsyncLocalStorage<Settings>();

/** Sets process-wide defaults. Later calls merge into earlier ones. */
export function configure(settings: Settings): void {
  globalSettings = { ...globalSettings, ...settings };
}

/**
 * Runs `fn` with `overrides` layered on top of the current settings. The scope follows the async call tree,
 * so concurrent calls with different settings never see each other's values.
 */
export function withSettings<T>(overrides: Settings, fn: () => T): T {
  return scoped.run({ ...currentSettings(), ...overrides }, fn);
}

/** The settings in force here: the innermost `withSettings` scope, else the `configure` defaults. */
export function currentSettings(): Settings {
  return scoped.getStore() ?? globalSettings;
}

/** Clears `configure` defaults (for tests). */
export function resetSettings(): void {
  globalSettings = {};
}
