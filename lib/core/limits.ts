/**
 * The limits every store holds an append to: DynamoDB's, on one TransactWriteItems request and on one item (KB and
 * MB are binary, as DynamoDB counts them). The in-memory store applies them too, so that a test meets them first.
 */
export const MAX_ITEMS_PER_SAVE = 100;
export const MAX_BYTES_PER_SAVE = 4 * 1024 * 1024;
export const MAX_BYTES_PER_ITEM = 400 * 1024;

/** DynamoDB's limit on a partition key value, which a stream id is. */
export const MAX_STREAM_ID_BYTES = 2048;

/** The highest version an event can have: the one above it is the DynamoDB store's snapshot key. */
export const MAX_STREAM_VERSION = Number.MAX_SAFE_INTEGER - 1;

/** The longest idempotency key a command may carry: with its prefix, it is a partition key of the events table. */
export const MAX_IDEMPOTENCY_KEY_BYTES = 1024;
