import { randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { prepareAppend } from '../../../lib/core/append-request.js';
import { encodeAppend } from '../../../lib/dynamodb/items/encode-append.js';
import { DynamoEventStore } from '../../../lib/index.js';
import { createViewTable, DynamoViewStore } from '../../../lib/projections/index.js';
import {
  createTestTable,
  type IsolatedEndpoint,
  isolatedEndpoint,
} from '../../support/dynamodb.js';
import { describeRebuild } from './rebuild.contract.js';

// moto answers one request at a time, and its Query slows as a table grows.
jest.setTimeout(300_000);

let endpoint: IsolatedEndpoint;
beforeAll(async () => (endpoint = await isolatedEndpoint()));
afterAll(() => endpoint.stop());

describeRebuild(
  'DynamoDB',
  async () => {
    const client = new DynamoDBClient(endpoint.clientConfig);
    const eventsTable = await createTestTable(client);
    const viewsTable = `views-test-${randomUUID()}`;
    await createViewTable(client, viewsTable);
    return {
      events: new DynamoEventStore({ client, tableName: eventsTable }),
      views: new DynamoViewStore({ client, tableName: viewsTable }),
      // The very items an append writes, 25 to a BatchWriteItem: moto copies the whole table for every item of a
      // TransactWriteItems, which would make seeding 20,000 events take most of an hour.
      seedStream: async (streamId, events) => {
        const { eventItems } = encodeAppend(prepareAppend(streamId, 0, events), {
          compression: undefined,
        });
        for (let start = 0; start < eventItems.length; start += 25) {
          const requests = eventItems
            .slice(start, start + 25)
            .map((Item) => ({ PutRequest: { Item } }));
          const { UnprocessedItems } = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [eventsTable]: requests } }),
          );
          if (Object.keys(UnprocessedItems ?? {}).length > 0)
            throw new Error('moto left items unprocessed');
        }
      },
      stop: async () => {
        // Large tables left behind slow moto down for every test after.
        for (const TableName of [eventsTable, viewsTable])
          await client.send(new DeleteTableCommand({ TableName }));
        client.destroy();
      },
    };
  },
  { streams: 250, eventsEach: 40 },
);
