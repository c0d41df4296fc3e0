import type { Provider } from '@nestjs/common';
import { loadTracing } from '../telemetry/load-tracing.js';
import { NO_TRACING } from '../telemetry/tracing.js';

/** The injection token of the application's Tracing: OpenTelemetry's when @opentelemetry/api is installed. */
export const TRACING = Symbol('Tracing');

/** Whether the root module traces with OpenTelemetry (its `openTelemetry` option); each root module provides it. */
export const OPEN_TELEMETRY_ENABLED = Symbol('OpenTelemetryEnabled');

export const TRACING_PROVIDER: Provider = {
  provide: TRACING,
  useFactory: (enabled: boolean) => (enabled ? loadTracing() : NO_TRACING),
  inject: [OPEN_TELEMETRY_ENABLED],
};
