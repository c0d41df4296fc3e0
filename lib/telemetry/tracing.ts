import type { EventMetadata } from '../core/types.js';

export type SpanAttributeValue = string | number | boolean | readonly string[];

/** Attributes of a span; an undefined value is left out. */
export type SpanAttributes = Readonly<Record<string, SpanAttributeValue | undefined>>;

/** The span of one operation of the library, open while the operation runs. */
export interface OperationSpan {
  /** False when nothing records the span: an attribute that costs something to work out can be left out. */
  readonly isRecording: boolean;
  setAttributes(attributes: SpanAttributes): void;
  /** One request sent to DynamoDB for this operation, and the capacity units it says it consumed, if it says. */
  countRequest(consumedCapacityUnits: number | undefined): void;
}

export interface OperationSpanOptions {
  readonly kind?: 'internal' | 'consumer';
  readonly attributes?: SpanAttributes;
  /**
   * The metadata of the stored events the operation works on: the trace contexts their saves stored there are
   * linked, and when they are all one, the span continues that trace as its child.
   */
  readonly continues?: readonly EventMetadata[];
}

/** A span started around work that is not one promise (an Observable): ended by whoever sees the work end. */
export interface StartedSpan {
  readonly span: OperationSpan;
  /** Runs `fn` with the span current, so that what `fn` starts (requests, child spans) belongs to it. */
  run<R>(fn: () => R): R;
  /** Ends the span; `cancelled` when the caller stopped the work before it finished. */
  end(outcome?: 'ok' | 'cancelled'): void;
  /** Ends the span with the error: its status is error, and its outcome says which kind. */
  fail(error: unknown): void;
}

/**
 * How the library reports what it does to a tracing system (OpenTelemetry, when @opentelemetry/api is installed:
 * see loadTracing). Without one, NO_TRACING: nothing is started or recorded.
 */
export interface Tracing {
  /** Runs `operation` in a span that ends when it settles. */
  inSpan<T>(
    name: string,
    options: OperationSpanOptions,
    operation: (span: OperationSpan) => Promise<T>,
  ): Promise<T>;
  startSpan(name: string, options: OperationSpanOptions): StartedSpan;
  /** The library's span the caller runs in, if it is recording one: where a request is counted. */
  currentOperation(): OperationSpan | undefined;
  /** The current trace context as metadata keys (W3C `traceparent`, `tracestate`), to store with new events. */
  traceContextMetadata(): EventMetadata | undefined;
}

const NON_RECORDING_SPAN: OperationSpan = {
  isRecording: false,
  setAttributes: () => undefined,
  countRequest: () => undefined,
};

const NOT_STARTED: StartedSpan = {
  span: NON_RECORDING_SPAN,
  run: (fn) => fn(),
  end: () => undefined,
  fail: () => undefined,
};

/** No tracing: every operation runs as it would without any. */
export const NO_TRACING: Tracing = {
  inSpan: (_name, _options, operation) => operation(NON_RECORDING_SPAN),
  startSpan: () => NOT_STARTED,
  currentOperation: () => undefined,
  traceContextMetadata: () => undefined,
};
