import { isDeepStrictEqual } from 'node:util';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBSingleTableEventStorageAdapter } from '@castore/event-storage-adapter-dynamodb';
import { DynamoEventStore, streamIdOf } from 'nestjs-dynamo-es';
import { castoreEventItem, castoreTableKeys } from './castore-event-pages.js';
import {
  eventTableKeys,
  handWrittenEventItem,
  handWrittenPutEvent,
  sampleEvent,
} from './event-pages.js';
import { type RecordedRequest, RequestRecorder, stubbedClient } from './stub-dynamodb.js';
import { StubTable, wireItem } from './stub-table.js';

const TABLE = 'events';
const AGGREGATE_TYPE = 'Account';
const ACCOUNT_ID = '0f4a9c2e-1b7d-4e5f-8a3c-6d2b1e0f9a87';

/**
 * The differences, none when equal, between what the library writes when it appends the canned events (versions 1
 * and 2 of the sample stream, with their ids and times) and what handWrittenEventItem and handWrittenPutEvent make
 * of them: the canned pages and the hand-written baselines are in the library's layout exactly when there are none.
 */
export async function checkOurCannedItems(): Promise<string[]> {
  const recorder = new RequestRecorder(new StubTable(eventTableKeys(TABLE), []).answer);
  const client = stubbedClient(recorder.answer);
  const store = new DynamoEventStore({ client, tableName: TABLE });
  const streamId = streamIdOf(AGGREGATE_TYPE, ACCOUNT_ID);
  const differences: string[] = [];
  try {
    for (const version of [1, 2]) {
      const event = sampleEvent(ACCOUNT_ID, version);
      const library = await recordedOrFailure(recorder, () =>
        store.appendToStream(streamId, version - 1, [event]),
      );
      const handWritten = await recorder.record(() =>
        client.send(
          new PutItemCommand(handWrittenPutEvent(TABLE, handWrittenEventItem(streamId, event))),
        ),
      );
      const difference =
        typeof library === 'string'
          ? library
          : differenceOf(requestsOf(library), requestsOf(handWritten.requests), [
              'library',
              'handWrittenEventItem',
            ]);
      if (difference) {
        differences.push(
          `the library's PutItem of canned event ${version} is not handWrittenPutEvent(handWrittenEventItem(…)): ` +
            difference,
        );
      }
    }
  } finally {
    client.destroy();
  }
  return differences;
}

/**
 * The differences, none when equal, between the items castore's adapter writes for the canned events and
 * castoreEventItem's.
 */
export async function checkCastoreCannedItems(): Promise<string[]> {
  const recorder = new RequestRecorder(new StubTable(castoreTableKeys(TABLE), []).answer);
  const client = stubbedClient(recorder.answer);
  const adapter = new DynamoDBSingleTableEventStorageAdapter({
    tableName: TABLE,
    dynamoDBClient: client,
  });
  const differences: string[] = [];
  try {
    for (const version of [1, 2]) {
      const { type, payload, metadata, recordedAt } = sampleEvent(ACCOUNT_ID, version);
      const pushed = await recordedOrFailure(recorder, () =>
        adapter.pushEvent(
          {
            aggregateId: ACCOUNT_ID,
            version,
            type,
            payload,
            metadata,
            timestamp: recordedAt.toISOString(),
          },
          { eventStoreId: AGGREGATE_TYPE },
        ),
      );
      const difference =
        typeof pushed === 'string'
          ? pushed
          : differenceOf(
              pushed.map(({ operation, body }) => ({
                operation,
                item: (JSON.parse(body) as { Item?: unknown }).Item,
              })),
              [
                {
                  operation: 'PutItem',
                  item: wireItem(castoreEventItem(AGGREGATE_TYPE, ACCOUNT_ID, version)),
                },
              ],
              ['castore', 'castoreEventItem'],
            );
      if (difference) {
        differences.push(
          `castore's item of event ${version} is not castoreEventItem's: ${difference}`,
        );
      }
    }
  } finally {
    client.destroy();
  }
  return differences;
}

/** How many attributes the first Query of `requests` asks for; undefined when it asks for all of them. */
export function projectedAttributes(requests: readonly RecordedRequest[]): number | undefined {
  const query = requests.find(({ operation }) => operation === 'Query');
  const projection = query && (JSON.parse(query.body) as { ProjectionExpression?: string });
  return projection?.ProjectionExpression?.split(',').length;
}

/** Operations and parsed bodies, for comparing what two pieces of code sent. */
export function requestsOf(
  requests: readonly RecordedRequest[],
): { operation: string; body: unknown }[] {
  return requests.map(({ operation, body }) => ({ operation, body: JSON.parse(body) as unknown }));
}

/**
 * Undefined when `ours` (the library's) deep-equals `theirs`; else where they differ, path by path (a few paths
 * at most): `Item.id: library {"B":"AAAA…"}, hand-written absent`.
 */
export function differenceOf(
  ours: unknown,
  theirs: unknown,
  [oursName, theirsName] = ['library', 'hand-written'],
): string | undefined {
  if (isDeepStrictEqual(ours, theirs)) return undefined;
  const paths: string[] = [];
  const differ = (a: unknown, b: unknown, path: string): void => {
    if (isRecord(a) && isRecord(b) && Array.isArray(a) === Array.isArray(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const at = Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
        differ(a[key], b[key], at);
      }
    } else if (!isDeepStrictEqual(a, b)) {
      paths.push(`${path || '(value)'}: ${oursName} ${shortly(a)}, ${theirsName} ${shortly(b)}`);
    }
  };
  differ(ours, theirs, '');
  const shown = paths.slice(0, 8);
  if (paths.length > shown.length) shown.push(`and ${paths.length - shown.length} more`);
  return shown.join('; ');
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !(value instanceof Date);

function shortly(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = value instanceof Date ? value.toISOString() : JSON.stringify(value);
  return text.length > 70 ? `${text.slice(0, 70)}…` : text;
}

/** The requests `work` sent, or why it failed. */
async function recordedOrFailure(
  recorder: RequestRecorder,
  work: () => Promise<unknown>,
): Promise<RecordedRequest[] | string> {
  try {
    return (await recorder.record(work)).requests;
  } catch (error) {
    return `it failed (${(error as Error).message})`;
  }
}
