export { loadTracing } from './load-tracing.js';
export { type FailureOutcome, type OperationOutcome, SPAN_ATTRIBUTES } from './span-attributes.js';
export {
  NO_TRACING,
  type OperationSpan,
  type OperationSpanOptions,
  type SpanAttributes,
  type SpanAttributeValue,
  type StartedSpan,
  type Tracing,
} from './tracing.js';
