import { InvalidStreamIdError } from './errors.js';
import { MAX_STREAM_ID_BYTES } from './limits.js';

const SEPARATOR = '#';

/** The stream of one aggregate: its type and its id, e.g. `BankAccount#4f1c…`. */
export function streamIdOf(aggregateType: string, aggregateId: string): string {
  if (
    typeof aggregateType !== 'string' ||
    aggregateType.length === 0 ||
    aggregateType.includes(SEPARATOR)
  ) {
    throw new InvalidStreamIdError(
      `${String(aggregateType)}${SEPARATOR}${String(aggregateId)}`,
      `the aggregate type must be a non-empty string without "${SEPARATOR}"`,
    );
  }
  if (typeof aggregateId !== 'string' || aggregateId.length === 0) {
    throw new InvalidStreamIdError(
      `${aggregateType}${SEPARATOR}${String(aggregateId)}`,
      'the aggregate id must be a non-empty string',
    );
  }
  const streamId = `${aggregateType}${SEPARATOR}${aggregateId}`;
  assertValidStreamId(streamId);
  return streamId;
}

/** The aggregate type and id of a stream made by `streamIdOf`; undefined for a stream id of another shape. */
export function parseStreamId(
  streamId: string,
): { readonly aggregateType: string; readonly aggregateId: string } | undefined {
  const separator = streamId.indexOf(SEPARATOR);
  if (separator <= 0 || separator === streamId.length - 1) return undefined;
  return {
    aggregateType: streamId.slice(0, separator),
    aggregateId: streamId.slice(separator + 1),
  };
}

export function assertValidStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidStreamIdError(String(streamId), 'a stream id must be a non-empty string');
  }
  const bytes = Buffer.byteLength(streamId, 'utf8');
  if (bytes > MAX_STREAM_ID_BYTES) {
    throw new InvalidStreamIdError(
      `${streamId.slice(0, 64)}…`,
      `a stream id is a DynamoDB partition key: ${bytes} bytes exceeds its limit of ${MAX_STREAM_ID_BYTES}`,
    );
  }
}
