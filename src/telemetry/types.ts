/** `configure({ telemetry })`: OpenTelemetry spans, emitted when `@opentelemetry/api` is installed. */
export interface TelemetrySettings {
  /** false: emit no spans even when `@opentelemetry/api` is installed (default true). */
  enabled?: boolean;
  /** Attach prompts, replies, program inputs and outputs to spans (default false: they may hold private data). */
  captureContent?: boolean;
}
