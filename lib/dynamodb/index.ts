export {
  createDynamoDBClient,
  dynamoDBClientConfig,
  type DynamoDBClientSettings,
  type DynamoDBTarget,
} from './client.js';
export { DynamoEventStore, type DynamoEventStoreConfig } from './dynamodb-event-store.js';
export * from './errors.js';
export { itemSize } from './items/item-size.js';
export { createEventStoreTable, type CreateEventStoreTableOptions } from './table.js';
export {
  EVENT_TABLE_ATTRIBUTES,
  PARTITION_KEY,
  SNAPSHOT_SORT_KEY,
  SORT_KEY,
  type WireItem,
} from './table-layout.js';
