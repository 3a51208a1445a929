import { AsyncLocalStorage } from 'node:async_hooks';
import type * as OtelApi from '@opentelemetry/api';
import { currentSettings } from '../settings/settings.js';

export type Otel = typeof OtelApi;
export type Span = OtelApi.Span;
export type Attributes = OtelApi.Attributes;

/** `undefined` until the first traced call looks; `null` when `@opentelemetry/api` is not installed. */
let api: Otel | null | undefined;
let loading: Promise<Otel | null> | undefined;

/** Loads the optional peer dependency once; a missing package costs one failed import, then nothing. */
export function loadOtel(): Promise<Otel | null> {
  loading ??= import('@opentelemetry/api').then(
    (module) => {
      api = module;
      return module;
    },
    () => {
      api = null;
      return null;
    },
  );
  return loading;
}

/**
 * Our own record of the active tsdspy span context. Without an application-registered context manager the
 * OpenTelemetry context does not follow `await`, so nesting would break; this keeps it working either way.
 */
const ownContext = new AsyncLocalStorage<OtelApi.Context>();

/** The context new spans attach to: the application's when it tracks one, else ours. */
function parentContext(otel: Otel): OtelApi.Context {
  const active = otel.context.active();
  if (otel.trace.getSpan(active)) return active;
  return ownContext.getStore() ?? active;
}

function disabled(): boolean {
  return currentSettings().telemetry?.enabled === false;
}

/** Whether prompt/response and input/output content may be attached to spans (opt-in). */
export function captureContent(): boolean {
  return currentSettings().telemetry?.captureContent === true;
}

export interface SpanOptions {
  attributes?: Attributes;
  /** `client` for calls that leave the process (LM calls). */
  kind?: 'internal' | 'client';
  /** Marks the span as a tsdspy module call, so the first one in a trace is the top-level program. */
  module?: boolean;
}

const MODULE_KEY = Symbol.for('tsdspy.module-span');

/** True when no tsdspy module span is open around this point (the next module call is a top-level program). */
export function outsideModuleSpan(): boolean {
  if (!api) return true;
  return parentContext(api).getValue(MODULE_KEY) === undefined;
}

/**
 * Runs `fn` inside a span named `name` (ended when `fn` settles, marked as an error when it throws).
 * When telemetry is off or `@opentelemetry/api` is absent, `fn` runs with `undefined` and nothing else happens.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (api === null || disabled()) return fn(undefined);
  if (api === undefined) return loadOtel().then(() => inSpan(name, options, fn));
  const otel = api;
  const parent = parentContext(otel);
  const span = otel.trace.getTracer('tsdspy').startSpan(
    name,
    {
      kind: options.kind === 'client' ? otel.SpanKind.CLIENT : otel.SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    parent,
  );
  let context = otel.trace.setSpan(parent, span);
  if (options.module) context = context.setValue(MODULE_KEY, true);
  const run = () => ownContext.run(context, () => otel.context.with(context, () => fn(span)));
  return run().then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      span.recordException(err);
      span.setAttribute('error.type', err.name || 'Error');
      span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err.message });
      span.end();
      throw error;
    },
  );
}

const MAX_CONTENT_CHARS = 65_536;

/** JSON for a content attribute, cut to a bounded size (spans are not a place for megabytes). */
export function contentJSON(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_CONTENT_CHARS ? `${text.slice(0, MAX_CONTENT_CHARS)}…[truncated]` : text;
}
