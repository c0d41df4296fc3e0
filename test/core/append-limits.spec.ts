import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoEventStore,
  EventStoreLimitError,
  type NewEvent,
  streamIdOf,
} from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { RequestLog } from '../support/request-log.js';

let client: DynamoDBClient;
let store: DynamoEventStore;
let requests: RequestLog;

beforeAll(async () => {
  client = testClient();
  store = new DynamoEventStore({ client, tableName: await createTestTable(client) });
  requests = RequestLog.attachTo(client);
});
afterAll(() => client.destroy());
beforeEach(() => requests.clear());

const KB = 1024;
const eventOf = (payloadBytes: number): NewEvent => ({
  type: 'BlobAttached',
  payload: { blob: 'x'.repeat(payloadBytes) },
});

describe("appendToStream within DynamoDB's request limits", () => {
  it.each([
    ['101 events', Array.from({ length: 101 }, () => eventOf(10)), 'events per save', 100, 101],
    [
      '11 events of 390 KB, over 4 MB in all',
      Array.from({ length: 11 }, () => eventOf(390 * KB)),
      'bytes per save',
      4 * KB * KB,
      undefined,
    ],
    [
      'one event over 400 KB',
      [eventOf(10), eventOf(401 * KB)],
      'bytes per event',
      400 * KB,
      undefined,
    ],
  ])(
    'refuses %s with EventStoreLimitError, sending nothing and writing nothing',
    async (_, events, limit, maximum, found) => {
      const stream = streamIdOf('Attachment', randomUUID());

      const append = store.appendToStream(stream, 0, events);

      await expect(append).rejects.toBeInstanceOf(EventStoreLimitError);
      const error = (await append.catch((e: unknown) => e)) as EventStoreLimitError;
      expect(error).toMatchObject({ streamId: stream, limit, maximum });
      expect(error.found).toBeGreaterThan(maximum);
      if (found !== undefined) expect(error.found).toBe(found);
      expect(error.message).toContain(stream);
      expect(error.message).toContain(String(maximum));
      expect(requests.count()).toBe(0);
      expect(await store.readStreamVersion(stream)).toBe(0);
    },
  );

  it('writes a save just under the limits, 10 events of 390 KB, in one request', async () => {
    const stream = streamIdOf('Attachment', randomUUID());

    await store.appendToStream(
      stream,
      0,
      Array.from({ length: 10 }, () => eventOf(390 * KB)),
    );

    expect(requests.requests.map((request) => request.command)).toEqual([
      'TransactWriteItemsCommand',
    ]);
    expect(await store.readStreamVersion(stream)).toBe(10);
  });
});
