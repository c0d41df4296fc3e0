import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
  PutCommand,
  type PutCommandInput,
  type TransactWriteCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { asTypedSdkError, isConditionFailure } from '../../dynamodb/sdk-errors.js';
import {
  createTableUnlessExists,
  type CreateEventStoreTableOptions,
} from '../../dynamodb/table.js';
import { RESERVED_FIELD_PREFIX, toStoredDocument, type ViewDocument } from './view-document.js';
import type {
  ParkedEvent,
  StoredState,
  ViewDocumentState,
  ViewIncrement,
  ViewStore,
  ViewWrite,
} from './view-store.js';
import {
  VIEW_TABLE_ATTRIBUTES as A,
  VIEW_TABLE,
  documentKeyOf,
  parkedKeyOf,
  stateKeyOf,
} from './view-table-layout.js';

const MAX_KEYS_PER_BATCH_GET = 100;

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface DynamoViewStoreConfig {
  /** The client to send requests with; the store wraps it in a DocumentClient and never destroys it. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** Creates the views table (on-demand, keyed `__key`) unless it exists with that key. */
export function createViewTable(
  client: DynamoDBClient,
  tableName: string,
  options?: CreateEventStoreTableOptions,
): Promise<'created' | 'exists'> {
  return createTableUnlessExists(client, tableName, VIEW_TABLE, options);
}

/**
 * The ViewStore on a DynamoDB table, through the DocumentClient: a document's fields are native attributes. A write
 * is one conditional PutItem, or one TransactWriteItems when other documents change with it (increments) or a
 * stream is parked or unparked.
 */
export class DynamoViewStore implements ViewStore {
  readonly tableName: string;
  private readonly documents: DynamoDBDocumentClient;

  constructor({ client, tableName }: DynamoViewStoreConfig) {
    this.tableName = tableName;
    // Documents are normalised before they get here (toStoredDocument): these options only make the conversion's
    // rules explicit. A class instance or a Date would be an error, not a silent `{}`.
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: {
        removeUndefinedValues: true,
        convertClassInstanceToMap: false,
        convertEmptyValues: false,
      },
      unmarshallOptions: { wrapNumbers: false },
    });
  }

  async read(view: string, id: string): Promise<ViewDocumentState | undefined> {
    const { Item } = await this.typedErrors(() =>
      this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [A.key]: documentKeyOf(view, id) },
          ConsistentRead: true,
        }),
      ),
    );
    return Item && stateOf(Item);
  }

  async write(change: ViewWrite): Promise<'written' | 'conflict'> {
    const put = this.documentPut(change);
    const others: TransactItem[] = [
      ...(change.increments ?? []).map((increment) => this.incrementUpdate(change.view, increment)),
      ...(change.parkedEvent ? [this.parkedPut(change.parkedEvent)] : []),
      ...(change.unparkedStream !== undefined
        ? [this.parkedDelete(change.view, change.id, change.unparkedStream)]
        : []),
    ];
    try {
      await this.typedErrors<unknown>(() =>
        others.length === 0
          ? this.documents.send(new PutCommand(put))
          : this.documents.send(
              new TransactWriteCommand({ TransactItems: [{ Put: put }, ...others] }),
            ),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  async *list(view: string): AsyncGenerator<readonly { id: string; document: ViewDocument }[]> {
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        FilterExpression: '#view = :view AND #kind = :document AND attribute_not_exists(#deleted)',
        ExpressionAttributeNames: { '#view': A.view, '#kind': A.kind, '#deleted': A.deleted },
        ExpressionAttributeValues: { ':view': view, ':document': 'document' },
      },
    );
    try {
      for await (const { Items = [] } of pages) {
        if (Items.length > 0) {
          yield Items.map((item) => ({ id: String(item[A.id]), document: documentOf(item) }));
        }
      }
    } catch (error) {
      throw asTypedSdkError(error, this.tableName);
    }
  }

  async listParked(projection?: string): Promise<ParkedEvent[]> {
    const parked: ParkedEvent[] = [];
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        FilterExpression: '#kind = :parked',
        ExpressionAttributeNames: { '#kind': A.kind },
        ExpressionAttributeValues: { ':parked': 'parked' },
      },
    );
    try {
      for await (const { Items = [] } of pages) {
        for (const item of Items) {
          const entry = item[A.parkedEvent] as Omit<ParkedEvent, 'parkedAt'> & { parkedAt: string };
          if (projection === undefined || entry.projection === projection) {
            parked.push({ ...entry, parkedAt: new Date(entry.parkedAt) });
          }
        }
      }
    } catch (error) {
      throw asTypedSdkError(error, this.tableName);
    }
    return parked;
  }

  async readStates<T>(keys: readonly string[]): Promise<Map<string, StoredState<T>>> {
    const found = new Map<string, StoredState<T>>();
    // BatchGetItem takes 100 keys a request; UnprocessedKeys are what it left for another.
    for (let start = 0; start < keys.length; start += MAX_KEYS_PER_BATCH_GET) {
      let pending: Record<string, unknown>[] | undefined = keys
        .slice(start, start + MAX_KEYS_PER_BATCH_GET)
        .map((key) => ({ [A.key]: stateKeyOf(key) }));
      while (pending && pending.length > 0) {
        const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await this.typedErrors(() =>
          this.documents.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: pending!, ConsistentRead: true } },
            }),
          ),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          found.set(String(item[A.id]), {
            value: item[A.state] as T,
            revision: Number(item[A.revision]),
          });
        }
        pending = UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async writeState<T>(
    key: string,
    value: T,
    expectedRevision: number,
  ): Promise<'written' | 'conflict'> {
    try {
      await this.typedErrors(() =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              [A.key]: stateKeyOf(key),
              [A.kind]: 'state',
              [A.id]: key,
              [A.state]: value,
              [A.revision]: expectedRevision + 1,
              [A.updatedAt]: new Date().toISOString(),
            },
            ...revisionCondition(expectedRevision),
          }),
        ),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  private documentPut(change: ViewWrite): PutCommandInput {
    const fields =
      change.document === null ? {} : toStoredDocument(change.view, change.id, change.document);
    return {
      TableName: this.tableName,
      Item: {
        ...fields,
        [A.key]: documentKeyOf(change.view, change.id),
        [A.kind]: 'document',
        [A.view]: change.view,
        [A.id]: change.id,
        [A.positions]: change.positions,
        [A.parked]: change.parked,
        [A.revision]: change.expectedRevision + 1,
        ...(change.document === null ? { [A.deleted]: true } : {}),
        [A.updatedAt]: new Date().toISOString(),
      },
      ...revisionCondition(change.expectedRevision),
    };
  }

  private incrementUpdate(view: string, { id, deltas }: ViewIncrement): TransactItem {
    const fields = Object.entries(deltas);
    const names: Record<string, string> = {
      '#revision': A.revision,
      '#kind': A.kind,
      '#view': A.view,
      '#id': A.id,
      '#updatedAt': A.updatedAt,
    };
    const values: Record<string, unknown> = {
      ':one': 1,
      ':document': 'document',
      ':view': view,
      ':id': id,
      ':now': new Date().toISOString(),
    };
    fields.forEach(([field, delta], index) => {
      names[`#f${index}`] = field;
      values[`:d${index}`] = delta;
    });
    toStoredDocument(view, id, Object.fromEntries(fields));
    return {
      Update: {
        TableName: this.tableName,
        Key: { [A.key]: documentKeyOf(view, id) },
        UpdateExpression:
          `ADD #revision :one, ${fields.map((_, index) => `#f${index} :d${index}`).join(', ')} ` +
          'SET #kind = :document, #view = :view, #id = :id, #updatedAt = :now',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  private parkedPut(parked: ParkedEvent): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          [A.key]: parkedKeyOf(parked.view, parked.documentId, parked.streamId),
          [A.kind]: 'parked',
          [A.parkedEvent]: { ...parked, parkedAt: parked.parkedAt.toISOString() },
        },
      },
    };
  }

  private parkedDelete(view: string, documentId: string, streamId: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { [A.key]: parkedKeyOf(view, documentId, streamId) },
      },
    };
  }

  private async typedErrors<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw asTypedSdkError(error, this.tableName);
    }
  }
}

/** The item must be at `expectedRevision`; 0 means it must not exist. */
function revisionCondition(
  expectedRevision: number,
): Pick<
  PutCommandInput,
  'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
> {
  return expectedRevision === 0
    ? {
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': A.key },
      }
    : {
        ConditionExpression: '#revision = :revision',
        ExpressionAttributeNames: { '#revision': A.revision },
        ExpressionAttributeValues: { ':revision': expectedRevision },
      };
}

function stateOf(item: Item): ViewDocumentState {
  return {
    document: item[A.deleted] === true ? undefined : documentOf(item),
    positions: (item[A.positions] as Record<string, number> | undefined) ?? {},
    parked: (item[A.parked] as Record<string, number> | undefined) ?? {},
    revision: Number(item[A.revision] ?? 0),
  };
}

function documentOf(item: Item): ViewDocument {
  return Object.fromEntries(
    Object.entries(item).filter(([field]) => !field.startsWith(RESERVED_FIELD_PREFIX)),
  );
}
