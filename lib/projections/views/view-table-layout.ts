import type { TableDefinition } from '../../dynamodb/table.js';

/**
 * The views table: one item per document, keyed `<view>#<id>`, its fields the document's own, stored as native
 * DynamoDB values (readable in the console, usable in filters and indexes), beside the store's attributes, which
 * all start with `__`. Parked streams are items of their own in the same table.
 */
export const VIEW_TABLE_ATTRIBUTES = {
  /** S, partition key: `<view>#<document id>`, `parked#<view>#<document id>#<stream id>`, or `state#<key>`. */
  key: '__key',
  /** S: `document`, `parked` or `state`. */
  kind: '__kind',
  view: '__view',
  id: '__id',
  /** M: stream id → the last version applied. */
  positions: '__positions',
  /** M: stream id → the version parked, for streams that wait behind a parked event. */
  parked: '__parked',
  /** N: raised by every write. */
  revision: '__revision',
  /** BOOL: the document was deleted; its positions stay. */
  deleted: '__deleted',
  updatedAt: '__updatedAt',
  /** M, parked items: the ParkedEvent. */
  parkedEvent: '__parkedEvent',
  /** M, state items: the projections' own state (generations, rebuild checkpoints). */
  state: '__state',
} as const;

export const VIEW_TABLE: TableDefinition = {
  purpose: 'the view store',
  noun: 'views table',
  partitionKey: { name: VIEW_TABLE_ATTRIBUTES.key, type: 'S' },
};

export function documentKeyOf(view: string, id: string): string {
  return `${view}#${id}`;
}

export function stateKeyOf(key: string): string {
  return `state#${key}`;
}

export function parkedKeyOf(view: string, documentId: string, streamId: string): string {
  return `parked#${view}#${documentId}#${streamId}`;
}
