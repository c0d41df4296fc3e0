export { MAX_BYTES_PER_ITEM, MAX_BYTES_PER_SAVE, MAX_ITEMS_PER_SAVE } from './append-limits.js';
export { dynamoDBClientConfig, type DynamoDBTarget } from './dynamodb-client-config.js';
export * from './errors.js';
export { PARTITION_KEY, SNAPSHOT_SORT_KEY, SORT_KEY, type WireItem } from './event-item.js';
export * from './event-store.js';
export * from './event-store-table.js';
export { itemSize } from './item-size.js';
export { MAX_STREAM_ID_BYTES, streamIdOf } from './stream-id.js';
export type * from './types.js';
