import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  dynamoDBClientConfig,
  DynamoEventStoreModule,
  type DynamoEventStoreModuleOptions,
} from '../../lib/index.js';
import { EventStoreHealthIndicator, EventStoreHealthModule } from '../../lib/health/index.js';
import { InMemoryEventStoreModule } from '../../lib/testing/index.js';
import { createTestTable, testClient, testClientConfig } from '../support/dynamodb.js';

let client: DynamoDBClient;
let tableName: string;
let app: TestingModule | undefined;

beforeAll(async () => {
  client = testClient();
  tableName = await createTestTable(client);
});
afterAll(() => client.destroy());
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function indicatorFor(
  options: DynamoEventStoreModuleOptions,
): Promise<EventStoreHealthIndicator> {
  app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventStoreModule.forRoot({ checkTablesOnStartup: false, ...options }),
      EventStoreHealthModule,
    ],
  }).compile();
  await app.init();
  return app.get(EventStoreHealthIndicator);
}

/** A port that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the health of the events table', () => {
  it('is up when the table exists and is ACTIVE', async () => {
    const health = await indicatorFor({ tableName, clientConfig: testClientConfig() });

    expect(await health.isHealthy()).toEqual({ eventStore: { status: 'up', table: tableName } });
  });

  it('is down, naming the table and how to create it, when the table is missing', async () => {
    const missing = `${tableName}-missing`;
    const health = await indicatorFor({ tableName: missing, clientConfig: testClientConfig() });

    expect(await health.isHealthy('events')).toEqual({
      events: {
        status: 'down',
        table: missing,
        problem: 'table-missing',
        reason: expect.stringMatching(
          new RegExp(`^The events table "${missing}" at http.* does not exist\\. Create it with`),
        ) as unknown,
      },
    });
  });

  it('is down when the endpoint is unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const health = await indicatorFor({
      tableName,
      clientConfig: dynamoDBClientConfig({ endpoint }),
    });

    expect(await health.isHealthy()).toEqual({
      eventStore: {
        status: 'down',
        table: tableName,
        problem: 'unreachable',
        reason: expect.stringContaining(`Could not reach DynamoDB at ${endpoint}`) as unknown,
      },
    });
  });

  it('is down when DynamoDB does not answer within the timeout', async () => {
    // Accepts connections and never answers.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const health = await indicatorFor({
        tableName,
        clientConfig: dynamoDBClientConfig({ endpoint }),
      });

      expect(await health.isHealthy('eventStore', { timeoutMs: 200 })).toEqual({
        eventStore: {
          status: 'down',
          table: tableName,
          problem: 'timeout',
          reason: `DynamoDB did not describe the events table "${tableName}" within 200 ms.`,
        },
      });
    } finally {
      await app?.close();
      app = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('is always up on the in-memory store', async () => {
    app = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), InMemoryEventStoreModule.forRoot(), EventStoreHealthModule],
    }).compile();
    await app.init();

    expect(await app.get(EventStoreHealthIndicator).isHealthy()).toEqual({
      eventStore: { status: 'up', store: 'InMemoryEventStore' },
    });
  });
});
