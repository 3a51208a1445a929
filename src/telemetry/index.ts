export type { TelemetrySettings } from './types.js';
