import { isMissingPackage } from '../core/missing-package.js';
import { PACKAGE_VERSION } from '../core/package-version.js';
import { openTelemetryTracing } from './open-telemetry-tracing.js';
import { NO_TRACING, type Tracing } from './tracing.js';

const OPEN_TELEMETRY_API = '@opentelemetry/api';

/**
 * OpenTelemetry tracing when @opentelemetry/api (an optional peer) is installed, NO_TRACING when it is not: an
 * application without it loads nothing more and pays nothing.
 */
export async function loadTracing(
  importApi: () => Promise<unknown> = () => import(OPEN_TELEMETRY_API),
): Promise<Tracing> {
  let loaded: unknown;
  try {
    loaded = await importApi();
  } catch (error) {
    if (isMissingPackage(error, OPEN_TELEMETRY_API)) return NO_TRACING;
    throw error;
  }
  // A CommonJS package: Node gives its named exports on the namespace; a bundler may give them as the default
  // (the package's own default export holds only a few of them).
  const api = 'SpanKind' in (loaded as object) ? loaded : (loaded as { default: unknown }).default;
  return openTelemetryTracing(api as Parameters<typeof openTelemetryTracing>[0], PACKAGE_VERSION);
}
