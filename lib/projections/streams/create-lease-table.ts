import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type CreateEventStoreTableOptions,
  createTableUnlessExists,
  type TableDefinition,
} from '../../dynamodb/table.js';
import { LEASE_PARTITION_KEY } from './lease-table-layout.js';

export type CreateLeaseTableOptions = CreateEventStoreTableOptions;

export const LEASE_TABLE: TableDefinition = {
  purpose: "the stream runner's lease table",
  noun: 'lease table',
  partitionKey: { name: LEASE_PARTITION_KEY, type: 'S' },
};

/**
 * Creates the stream runner's lease table (on-demand billing) unless it exists, and waits until it is ACTIVE. An
 * existing table with the right key schema is accepted as is; one with another key schema is an error
 * (EventStoreTableSchemaError).
 */
export function createLeaseTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateLeaseTableOptions = {},
): Promise<'created' | 'exists'> {
  return createTableUnlessExists(client, tableName, LEASE_TABLE, options);
}
