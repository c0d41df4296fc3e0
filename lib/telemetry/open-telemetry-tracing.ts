import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { Span, SpanContext } from '@opentelemetry/api';
import type { EventMetadata } from '../core/types.js';
import { outcomeOf, SPAN_ATTRIBUTES } from './span-attributes.js';
import type {
  OperationSpan,
  OperationSpanOptions,
  SpanAttributes,
  StartedSpan,
  Tracing,
} from './tracing.js';

type Api = typeof OpenTelemetryApi;

/** What one span can link to; OpenTelemetry's SDK keeps no more than 128 by default either. */
const MAX_LINKS = 128;

/**
 * Tracing through @opentelemetry/api: spans go to whatever tracer provider the application registered (none: the
 * API's own, which records nothing), and the trace context is written and read by its registered propagator.
 */
export function openTelemetryTracing(api: Api, version: string): Tracing {
  const tracer = api.trace.getTracer('nestjs-dynamo-es', version);
  const operations = new WeakMap<Span, OperationSpan>();

  const startSpan = (
    name: string,
    { kind = 'internal', attributes, continues = [] }: OperationSpanOptions,
  ): StartedSpan => {
    const active = api.context.active();
    const continued = spanContextsIn(api, continues);
    const parent =
      continued.length === 1 ? api.trace.setSpanContext(active, continued[0]!) : active;
    const span = tracer.startSpan(
      name,
      {
        kind: kind === 'consumer' ? api.SpanKind.CONSUMER : api.SpanKind.INTERNAL,
        attributes: definedAttributes(attributes),
        links: continued.map((context) => ({ context })),
      },
      parent,
    );
    const operation = operationSpanOf(span);
    if (operation.isRecording) operations.set(span, operation);
    const current = api.trace.setSpan(parent, span);
    return {
      span: operation,
      run: (fn) => api.context.with(current, fn),
      end: (outcome = 'ok') => {
        span.setAttribute(SPAN_ATTRIBUTES.outcome, outcome);
        span.end();
      },
      fail: (error) => {
        span.setAttribute(SPAN_ATTRIBUTES.outcome, outcomeOf(error));
        if (error instanceof Error) span.recordException(error);
        span.setStatus({
          code: api.SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        span.end();
      },
    };
  };

  return {
    startSpan,
    async inSpan(name, options, operation) {
      const started = startSpan(name, options);
      try {
        const result = await started.run(() => operation(started.span));
        started.end();
        return result;
      } catch (error) {
        started.fail(error);
        throw error;
      }
    },
    currentOperation() {
      const span = api.trace.getActiveSpan();
      return span && operations.get(span);
    },
    traceContextMetadata() {
      const carrier: Record<string, string> = {};
      api.propagation.inject(api.context.active(), carrier);
      return Object.keys(carrier).length > 0 ? carrier : undefined;
    },
  };
}

function operationSpanOf(span: Span): OperationSpan {
  let requests = 0;
  let consumedCapacity: number | undefined;
  return {
    isRecording: span.isRecording(),
    setAttributes: (attributes) => span.setAttributes(definedAttributes(attributes)),
    countRequest(units) {
      span.setAttribute(SPAN_ATTRIBUTES.requests, ++requests);
      if (units === undefined) return;
      consumedCapacity = (consumedCapacity ?? 0) + units;
      span.setAttribute(SPAN_ATTRIBUTES.consumedCapacity, consumedCapacity);
    },
  };
}

/** The distinct, valid trace contexts that the propagator finds in the events' metadata. */
function spanContextsIn(api: Api, metadata: readonly EventMetadata[]): SpanContext[] {
  if (metadata.length === 0 || api.propagation.fields().length === 0) return [];
  const found = new Map<string, SpanContext>();
  for (const carrier of metadata) {
    const context = api.trace.getSpanContext(api.propagation.extract(api.ROOT_CONTEXT, carrier));
    if (!context || !api.isSpanContextValid(context)) continue;
    found.set(`${context.traceId}-${context.spanId}`, context);
    if (found.size === MAX_LINKS) break;
  }
  return [...found.values()];
}

function definedAttributes(attributes: SpanAttributes = {}): OpenTelemetryApi.Attributes {
  const defined: OpenTelemetryApi.Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) defined[key] = value as OpenTelemetryApi.AttributeValue;
  }
  return defined;
}
