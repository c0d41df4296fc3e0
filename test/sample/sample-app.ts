import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { INestApplication } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { DynamoEventStore, streamIdOf } from 'nestjs-dynamo-es';
import { createLeaseTable, createViewTable } from 'nestjs-dynamo-es/projections';
import request from 'supertest';
import { AppModule } from '../../sample/app.module.js';
import { createTestTable, testClient } from '../support/dynamodb.js';

/** The sample app in the test's process, on fresh tables of the endpoint DYNAMODB_ENDPOINT names. */
export interface SampleApp {
  readonly app: INestApplication;
  readonly store: DynamoEventStore;
  readonly tableName: string;
  http(): ReturnType<typeof request>;
  /** The version of the account's stream, read past the app. */
  storedVersion(accountId: string): Promise<number>;
  /** POST /accounts, then a deposit if asked; resolves with the new account's id. */
  openAccount(owner?: string, depositCents?: number): Promise<string>;
}

/** The sample on the test endpoint, with a client of its own for the set-up only. */
export async function startSampleAppOnTestEndpoint(): Promise<SampleApp> {
  const client = testClient();
  try {
    return await startSampleApp(client);
  } finally {
    client.destroy();
  }
}

/**
 * Creates the sample's AppModule as sample/main.ts does (with the raw body, for the check of JSON numbers), on
 * tables created with `client`. The environment is the app's configuration (sample/event-store.config.ts);
 * `override` may replace providers.
 */
export async function startSampleApp(
  client: DynamoDBClient,
  override: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<SampleApp> {
  const tableName = await createTestTable(client);
  process.env.EVENTS_TABLE = tableName;
  process.env.VIEWS_TABLE = `views-test-${randomUUID()}`;
  process.env.LEASE_TABLE = `leases-test-${randomUUID()}`;
  process.env.PROJECTIONS_IDLE_DELAY_MS = '50';
  await createViewTable(client, process.env.VIEWS_TABLE);
  await createLeaseTable(client, process.env.LEASE_TABLE);
  const moduleRef = await override(Test.createTestingModule({ imports: [AppModule] })).compile();
  const app = moduleRef.createNestApplication({ rawBody: true });
  await app.init();
  const store = app.get(DynamoEventStore);
  const http = () => request(app.getHttpServer());
  return {
    app,
    store,
    tableName,
    http,
    storedVersion: (accountId) => store.readStreamVersion(streamIdOf('Account', accountId)),
    async openAccount(owner = 'Ada', depositCents) {
      const { body } = await http().post('/accounts').send({ owner }).expect(201);
      const id = (body as { id: string }).id;
      if (depositCents !== undefined)
        await http()
          .post(`/accounts/${id}/deposits`)
          .send({ amountCents: depositCents })
          .expect(200);
      return id;
    },
  };
}

export interface HistoryMessage {
  readonly id: string;
  readonly data: { version: number; type: string; event: Record<string, unknown> };
}

/** GET /accounts/:id/history: reads the Server-Sent Events response to its end and parses its messages. */
export async function readHistory(
  sample: SampleApp,
  id: string,
  lastEventId?: string,
): Promise<HistoryMessage[]> {
  const call = sample.http().get(`/accounts/${id}/history`);
  if (lastEventId) void call.set('Last-Event-ID', lastEventId);
  const response = await call
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    })
    .expect(200)
    .expect('Content-Type', /text\/event-stream/);
  return (response.body as string)
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) => new RegExp(`^${name}: ?(.*)$`, 'm').exec(block)?.[1];
      return {
        id: field('id') ?? '',
        data: JSON.parse(field('data') ?? 'null') as HistoryMessage['data'],
      };
    });
}
