export {
  createDynamoDBClient,
  dynamoDBClientConfig,
  type DynamoDBClientSettings,
  type DynamoDBTarget,
} from './client.js';
export { DynamoEventStore, type DynamoEventStoreConfig } from './dynamodb-event-store.js';
export * from './errors.js';
export { itemSize } from './items/item-size.js';
export { type PayloadCompression } from './items/json-attribute.js';
export { createEventStoreTable, type CreateEventStoreTableOptions } from './table.js';
export {
  COMPRESSED_JSON_FORMATS,
  EVENT_TABLE_ATTRIBUTES,
  LAYOUT_1_ATTRIBUTES,
  PARTITION_KEY,
  SNAPSHOT_SORT_KEY,
  SORT_KEY,
  type WireItem,
} from './table-layout.js';
