import { InvalidStreamIdError } from './errors.js';
import { utf8Length } from './item-size.js';

/** DynamoDB's limit on a partition key value. */
export const MAX_STREAM_ID_BYTES = 2048;
const SEPARATOR = '#';

/** The stream of one aggregate: its type and its id, e.g. `BankAccount#4f1c…`. */
export function streamIdOf(aggregateType: string, aggregateId: string): string {
  if (aggregateType.length === 0 || aggregateType.includes(SEPARATOR)) {
    throw new InvalidStreamIdError(
      `${aggregateType}${SEPARATOR}${aggregateId}`,
      `the aggregate type must be non-empty and must not contain "${SEPARATOR}"`,
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

export function assertValidStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidStreamIdError(String(streamId), 'a stream id must be a non-empty string');
  }
  const bytes = utf8Length(streamId);
  if (bytes > MAX_STREAM_ID_BYTES) {
    throw new InvalidStreamIdError(
      `${streamId.slice(0, 64)}…`,
      `a stream id is a DynamoDB partition key: ${bytes} bytes exceeds its limit of ${MAX_STREAM_ID_BYTES}`,
    );
  }
}
