import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, createTableUnlessExists, EVENTS_TABLE } from '../dynamodb/table.js';
// Neither imports @aws-sdk/lib-dynamodb or @aws-sdk/client-dynamodb-streams, optional peers that the CLI must run
// without; createViewTable's own file does (the DocumentClient), so the CLI takes the views table's definition.
import { createLeaseTable, LEASE_TABLE } from '../projections/streams/create-lease-table.js';
import { VIEW_TABLE } from '../projections/views/view-table-layout.js';

/** One of the tables the CLI creates: how messages name it, and how it is created or checked. */
export interface TableKind {
  /** "events table", in every message about it. */
  readonly noun: string;
  /** Whose key schema it has, for "already exists with the event store's key schema". */
  readonly schemaOf: string;
  readonly create: (client: DynamoDBClient, tableName: string) => Promise<'created' | 'exists'>;
}

export const EVENTS_TABLE_KIND: TableKind = {
  noun: EVENTS_TABLE.noun,
  schemaOf: "the event store's",
  create: (client, tableName) => createEventStoreTable(client, tableName),
};

export const VIEWS_TABLE_KIND: TableKind = {
  noun: VIEW_TABLE.noun,
  schemaOf: "the view store's",
  create: (client, tableName) => createTableUnlessExists(client, tableName, VIEW_TABLE),
};

export const LEASE_TABLE_KIND: TableKind = {
  noun: LEASE_TABLE.noun,
  schemaOf: "the stream runner's",
  create: (client, tableName) => createLeaseTable(client, tableName),
};

/** A table to create: its kind and its name. */
export interface NamedTable {
  readonly kind: TableKind;
  readonly name: string;
}

/** The one line that says what `create` did to the table. */
export function tableOutcomeLine(
  { kind, name }: NamedTable,
  outcome: 'created' | 'exists',
  where: string,
): string {
  return outcome === 'created'
    ? `Created ${kind.noun} "${name}" ${where}.\n`
    : `${capitalised(kind.noun)} "${name}" ${where} already exists with ${kind.schemaOf} key schema; left unchanged.\n`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
