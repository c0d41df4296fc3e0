import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DynamoEventStore, streamIdOf } from 'nestjs-dynamo-es';
import { createLeaseTable, createViewTable } from 'nestjs-dynamo-es/projections';
import { lastValueFrom, toArray } from 'rxjs';
import request, { type Response } from 'supertest';
import { AppModule } from '../../sample/app.module.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { eventually } from '../support/eventually.js';

let app: INestApplication;
let store: DynamoEventStore;

beforeAll(async () => {
  const client = testClient();
  process.env.EVENTS_TABLE = await createTestTable(client);
  process.env.VIEWS_TABLE = `views-test-${randomUUID()}`;
  process.env.LEASE_TABLE = `leases-test-${randomUUID()}`;
  process.env.PROJECTIONS_IDLE_DELAY_MS = '50';
  await createViewTable(client, process.env.VIEWS_TABLE);
  await createLeaseTable(client, process.env.LEASE_TABLE);
  client.destroy();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  app = moduleRef.createNestApplication();
  await app.init();
  store = app.get(DynamoEventStore);
});
afterAll(() => app.close());

const http = () => request(app.getHttpServer());
const UNKNOWN_ID = '5b0f8a4e-1f5e-4c3a-9d2b-7a6c5e4d3f21';

async function openAccount(owner = 'Ada', deposit?: number): Promise<string> {
  const { body } = await http().post('/accounts').send({ owner }).expect(201);
  const id = (body as { id: string }).id;
  if (deposit !== undefined)
    await http().post(`/accounts/${id}/deposits`).send({ amount: deposit }).expect(200);
  return id;
}

const storedVersion = (id: string) => store.readStreamVersion(streamIdOf('Account', id));

interface HistoryMessage {
  readonly id: string;
  readonly data: { version: number; type: string; event: Record<string, unknown> };
}

/** Reads a Server-Sent Events response to its end and parses its messages. */
async function readHistory(id: string, lastEventId?: string): Promise<HistoryMessage[]> {
  const call = http().get(`/accounts/${id}/history`);
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

describe('the bank-account sample over HTTP', () => {
  it('opens an account, takes a deposit and a withdrawal, and reports the state', async () => {
    const opened = await http().post('/accounts').send({ owner: 'Ada' }).expect(201);
    const { id } = opened.body as { id: string };
    expect(opened.body).toEqual({ id, owner: 'Ada', balance: 0, version: 1 });
    expect(opened.headers.etag).toBe('"1"');

    await http().post(`/accounts/${id}/deposits`).send({ amount: 100 }).expect(200, {
      id,
      owner: 'Ada',
      balance: 100,
      version: 2,
    });
    await http().post(`/accounts/${id}/withdrawals`).send({ amount: 30.5 }).expect(200, {
      id,
      owner: 'Ada',
      balance: 69.5,
      version: 3,
    });

    const state = await http().get(`/accounts/${id}`).expect(200);
    expect(state.body).toEqual({ id, owner: 'Ada', balance: 69.5, version: 3 });
    expect(state.headers.etag).toBe('"3"');
  });

  it("keeps the read model of all accounts from the table's stream, a moment behind the commands", async () => {
    const id = await openAccount('Grace', 40);
    await http().post(`/accounts/${id}/withdrawals`).send({ amount: 15 }).expect(200);

    const listed = await eventually(
      async () =>
        (await http().get('/accounts').expect(200)).body as { id: string; balance: number }[],
      (accounts) => accounts.some((account) => account.id === id && account.balance === 25),
    );

    expect(listed).toContainEqual({ id, owner: 'Grace', balance: 25 });
  });

  it('stores the X-Correlation-Id of the request with the events it led to, and echoes it', async () => {
    const opened = await http()
      .post('/accounts')
      .set('X-Correlation-Id', 'checkout-77')
      .send({ owner: 'Ada' });
    const { id } = opened.body as { id: string };

    const deposit = await http().post(`/accounts/${id}/deposits`).send({ amount: 5 }).expect(200);

    expect(opened.headers['x-correlation-id']).toBe('checkout-77');
    const generated = deposit.headers['x-correlation-id'] as string;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const events = await lastValueFrom(store.readStream(streamIdOf('Account', id)).pipe(toArray()));
    expect(events.map((event) => event.metadata.correlationId)).toEqual(['checkout-77', generated]);
    expect(events.every((event) => typeof event.metadata.causationId === 'string')).toBe(true);
  });

  describe('history', () => {
    it('streams every event of the account in order as Server-Sent Events', async () => {
      const id = await openAccount('Ada', 100);
      await http().post(`/accounts/${id}/withdrawals`).send({ amount: 60 }).expect(200);
      await http().post(`/accounts/${id}/deposits`).send({ amount: 5 }).expect(200);

      const history = await readHistory(id);

      expect(history.map((message) => message.id)).toEqual(['1', '2', '3', '4']);
      expect(history.map((message) => message.data.type)).toEqual([
        'AccountOpened',
        'MoneyDeposited',
        'MoneyWithdrawn',
        'MoneyDeposited',
      ]);
      expect(history.map((message) => message.data.event)).toEqual([
        { accountId: id, owner: 'Ada' },
        { accountId: id, amount: 100 },
        { accountId: id, amount: 60 },
        { accountId: id, amount: 5 },
      ]);
    });

    it('resumes after the Last-Event-ID a reconnecting client sends', async () => {
      const id = await openAccount('Ada', 100);
      await http().post(`/accounts/${id}/deposits`).send({ amount: 1 }).expect(200);

      const history = await readHistory(id, '2');

      expect(history.map((message) => message.id)).toEqual(['3']);
    });

    it('answers 404 for an unknown account', async () => {
      await http().get(`/accounts/${UNKNOWN_ID}/history`).expect(404);
    });
  });

  describe('refuses, writing nothing,', () => {
    it('a withdrawal of more than the balance: 422', async () => {
      const id = await openAccount('Ada', 50);

      const { body } = await http()
        .post(`/accounts/${id}/withdrawals`)
        .send({ amount: 50.01 })
        .expect(422);

      expect(body).toMatchObject({ message: 'Cannot withdraw 50.01: the balance is 50.' });
      expect(await storedVersion(id)).toBe(2);
    });

    it.each([0, -5])('a deposit of %d: 422', async (amount) => {
      const id = await openAccount();

      const { body } = await http().post(`/accounts/${id}/deposits`).send({ amount }).expect(422);

      expect(body).toMatchObject({ message: `The amount must be positive; got ${amount}.` });
      expect(await storedVersion(id)).toBe(1);
    });

    it('a deposit to an account that does not exist: 404', async () => {
      await http().post(`/accounts/${UNKNOWN_ID}/deposits`).send({ amount: 5 }).expect(404);
      await http().get(`/accounts/${UNKNOWN_ID}`).expect(404);

      expect(await storedVersion(UNKNOWN_ID)).toBe(0);
    });

    it.each([
      ['an amount that is not a number', { amount: 'ten' }],
      ['a missing amount', {}],
      ['an amount with more than 2 decimals', { amount: 1.001 }],
      ['an unexpected field', { amount: 5, currency: 'EUR' }],
    ])('%s: 400', async (_, payload) => {
      const id = await openAccount();

      await http().post(`/accounts/${id}/deposits`).send(payload).expect(400);

      expect(await storedVersion(id)).toBe(1);
    });

    it.each([
      ['no owner', {}],
      ['an empty owner', { owner: '' }],
      ['an owner that is not a string', { owner: 42 }],
    ])('an account with %s: 400', async (_, payload) => {
      await http().post('/accounts').send(payload).expect(400);
    });

    it('an id that is not a UUID: 400', async () => {
      await http().post('/accounts/not-a-uuid/deposits').send({ amount: 5 }).expect(400);
    });

    it('a change at a version the account is no longer at (If-Match): 409', async () => {
      const id = await openAccount('Ada', 10);

      await http()
        .post(`/accounts/${id}/deposits`)
        .set('If-Match', '"1"')
        .send({ amount: 5 })
        .expect(409);

      expect(await storedVersion(id)).toBe(2);
    });

    it('a malformed If-Match: 400', async () => {
      const id = await openAccount();

      await http()
        .post(`/accounts/${id}/deposits`)
        .set('If-Match', 'yesterday')
        .send({ amount: 5 })
        .expect(400);

      expect(await storedVersion(id)).toBe(1);
    });
  });

  describe('under concurrent withdrawals that together exceed the balance', () => {
    const withdrawTwice = (id: string, ifMatch?: string): Promise<Response[]> =>
      Promise.all(
        [70, 70].map((amount) => {
          const call = http().post(`/accounts/${id}/withdrawals`);
          if (ifMatch) void call.set('If-Match', ifMatch);
          return call.send({ amount });
        }),
      );

    it('retries the loser on a fresh load, which then refuses it: 200 and 422', async () => {
      const id = await openAccount('Ada', 100);

      const responses = await withdrawTwice(id);

      expect(responses.map((response) => response.status).sort()).toEqual([200, 422]);
      const { body } = await http().get(`/accounts/${id}`).expect(200);
      expect(body).toMatchObject({ balance: 30, version: 3 });
    });

    it('answers 409 to the loser when both pinned the same version: 200 and 409', async () => {
      const id = await openAccount('Ada', 100);

      const responses = await withdrawTwice(id, '"2"');

      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      const { body } = await http().get(`/accounts/${id}`).expect(200);
      expect(body).toMatchObject({ balance: 30, version: 3 });
    });
  });
});
