import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { DynamoEventStore } from '../../../lib/index.js';
import { createViewTable, DynamoViewStore } from '../../../lib/projections/index.js';
import {
  createTestTable,
  type IsolatedEndpoint,
  isolatedEndpoint,
  seedStream,
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
      seedStream: (streamId, events) => seedStream(client, eventsTable, streamId, events),
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
