import {
  type AggregateRepository,
  getAggregateRepositoryToken,
  streamIdOf,
} from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import type { Response } from 'supertest';
import { Account } from '../../sample/accounts/account.aggregate.js';
import { MoneyDeposited } from '../../sample/accounts/account.events.js';
import { MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS } from '../../sample/accounts/money.js';
import { eventually } from '../support/eventually.js';
import {
  readHistory as readHistoryOf,
  type SampleApp,
  startSampleAppOnTestEndpoint,
} from './sample-app.js';

let sample: SampleApp;

beforeAll(async () => {
  sample = await startSampleAppOnTestEndpoint();
});
afterAll(() => sample.app.close());

const http = () => sample.http();
const UNKNOWN_ID = '5b0f8a4e-1f5e-4c3a-9d2b-7a6c5e4d3f21';
const openAccount = (owner?: string, depositCents?: number) =>
  sample.openAccount(owner, depositCents);
const storedVersion = (id: string) => sample.storedVersion(id);
const readHistory = (id: string, lastEventId?: string) => readHistoryOf(sample, id, lastEventId);

describe('the bank-account sample over HTTP', () => {
  it('opens an account, takes a deposit and a withdrawal, and reports the state', async () => {
    const opened = await http().post('/accounts').send({ owner: 'Ada' }).expect(201);
    const { id } = opened.body as { id: string };
    expect(opened.body).toEqual({ id, owner: 'Ada', balanceCents: 0, version: 1 });
    expect(opened.headers.etag).toBe('"1"');

    await http().post(`/accounts/${id}/deposits`).send({ amountCents: 10_000 }).expect(200, {
      id,
      owner: 'Ada',
      balanceCents: 10_000,
      version: 2,
    });
    await http().post(`/accounts/${id}/withdrawals`).send({ amountCents: 3_050 }).expect(200, {
      id,
      owner: 'Ada',
      balanceCents: 6_950,
      version: 3,
    });

    const state = await http().get(`/accounts/${id}`).expect(200);
    expect(state.body).toEqual({ id, owner: 'Ada', balanceCents: 6_950, version: 3 });
    expect(state.headers.etag).toBe('"3"');
  });

  it('adds ten deposits of 10 cents up to exactly 100 cents, in the state and in the read model', async () => {
    const id = await openAccount();

    for (let deposit = 0; deposit < 10; deposit++)
      await http().post(`/accounts/${id}/deposits`).send({ amountCents: 10 }).expect(200);

    await http()
      .get(`/accounts/${id}`)
      .expect(200, { id, owner: 'Ada', balanceCents: 100, version: 11 });
    const listed = await eventually(
      async () =>
        (await http().get('/accounts').expect(200)).body as { id: string; balanceCents: number }[],
      (accounts) => accounts.some((account) => account.id === id && account.balanceCents === 100),
    );
    expect(listed).toContainEqual({ id, owner: 'Ada', balanceCents: 100 });
  });

  it.each([
    ['1e2', 100],
    ['100.0', 100],
    ['1.00e2', 100],
    [String(MAX_AMOUNT_CENTS), MAX_AMOUNT_CENTS],
  ])('takes a whole number of cents however JSON writes it: %s', async (literal, amountCents) => {
    const id = await openAccount();

    await http()
      .post(`/accounts/${id}/deposits`)
      .set('Content-Type', 'application/json')
      .send(`{"amountCents": ${literal}}`)
      .expect(200)
      .expect(({ body }) => expect(body).toMatchObject({ balanceCents: amountCents }));
  });

  it('reads digits inside a string as text, not as a number', async () => {
    await http()
      .post('/accounts')
      .set('Content-Type', 'application/json')
      .send('{"owner": "9007199254740993 \\" 1e400"}')
      .expect(201)
      .expect(({ body }) => expect(body).toMatchObject({ owner: '9007199254740993 " 1e400' }));
  });

  it("keeps the read model of all accounts from the table's stream, a moment behind the commands", async () => {
    const id = await openAccount('Grace', 40);
    await http().post(`/accounts/${id}/withdrawals`).send({ amountCents: 15 }).expect(200);

    const listed = await eventually(
      async () =>
        (await http().get('/accounts').expect(200)).body as { id: string; balanceCents: number }[],
      (accounts) => accounts.some((account) => account.id === id && account.balanceCents === 25),
    );

    expect(listed).toContainEqual({ id, owner: 'Grace', balanceCents: 25 });
  });

  it('stores the X-Correlation-Id of the request with the events it led to, and echoes it', async () => {
    const opened = await http()
      .post('/accounts')
      .set('X-Correlation-Id', 'checkout-77')
      .send({ owner: 'Ada' });
    const { id } = opened.body as { id: string };

    const deposit = await http()
      .post(`/accounts/${id}/deposits`)
      .send({ amountCents: 5 })
      .expect(200);

    expect(opened.headers['x-correlation-id']).toBe('checkout-77');
    const generated = deposit.headers['x-correlation-id'] as string;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const events = await lastValueFrom(
      sample.store.readStream(streamIdOf('Account', id)).pipe(toArray()),
    );
    expect(events.map((event) => event.metadata.correlationId)).toEqual(['checkout-77', generated]);
    expect(events.every((event) => typeof event.metadata.causationId === 'string')).toBe(true);
  });

  describe('history', () => {
    it('streams every event of the account in order as Server-Sent Events', async () => {
      const id = await openAccount('Ada', 100);
      await http().post(`/accounts/${id}/withdrawals`).send({ amountCents: 60 }).expect(200);
      await http().post(`/accounts/${id}/deposits`).send({ amountCents: 5 }).expect(200);

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
        { accountId: id, amountCents: 100 },
        { accountId: id, amountCents: 60 },
        { accountId: id, amountCents: 5 },
      ]);
    });

    it('resumes after the Last-Event-ID a reconnecting client sends', async () => {
      const id = await openAccount('Ada', 100);
      await http().post(`/accounts/${id}/deposits`).send({ amountCents: 1 }).expect(200);

      const history = await readHistory(id, '2');

      expect(history.map((message) => message.id)).toEqual(['3']);
    });

    it('answers 404 for an unknown account', async () => {
      await http().get(`/accounts/${UNKNOWN_ID}/history`).expect(404);
    });
  });

  describe('refuses, writing nothing,', () => {
    it('a withdrawal of more than the balance: 422', async () => {
      const id = await openAccount('Ada', 5_000);

      const { body } = await http()
        .post(`/accounts/${id}/withdrawals`)
        .send({ amountCents: 5_001 })
        .expect(422);

      expect(body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'Cannot withdraw 5001 cents: the balance is 5000 cents.',
      });
      expect(await storedVersion(id)).toBe(2);
    });

    it('a deposit that would take the balance over its maximum: 422', async () => {
      const id = await openAccount();
      // Reaching the maximum through the API takes 10,000 maximal deposits: seeded past the rules instead.
      const accounts = sample.app.get<AggregateRepository<Account>>(
        getAggregateRepositoryToken(Account),
      );
      const account = await accounts.load(id);
      account.apply(new MoneyDeposited(id, MAX_BALANCE_CENTS - 100));
      await accounts.save(account);

      await http()
        .post(`/accounts/${id}/deposits`)
        .send({ amountCents: 100 })
        .expect(200)
        .expect(({ body }) => expect(body).toMatchObject({ balanceCents: MAX_BALANCE_CENTS }));
      const { body } = await http()
        .post(`/accounts/${id}/deposits`)
        .send({ amountCents: 1 })
        .expect(422);

      expect(body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message:
          `Cannot deposit 1 cent: the balance of ${MAX_BALANCE_CENTS} cents would exceed the ` +
          `maximum balance of ${MAX_BALANCE_CENTS} cents.`,
      });
      expect(await storedVersion(id)).toBe(3);
    });

    it('a deposit to an account that does not exist: 404', async () => {
      await http().post(`/accounts/${UNKNOWN_ID}/deposits`).send({ amountCents: 5 }).expect(404);
      await http().get(`/accounts/${UNKNOWN_ID}`).expect(404);

      expect(await storedVersion(UNKNOWN_ID)).toBe(0);
    });

    const AMOUNT_RULE = `amountCents must be a whole number of cents from 1 to ${MAX_AMOUNT_CENTS}, sent as a JSON number`;
    const inexact = (literal: string) =>
      `The number ${literal} cannot be read exactly: JSON numbers hold whole numbers exactly only up to ` +
      `${Number.MAX_SAFE_INTEGER}, and about 16 significant digits. Nothing was done.`;

    /** The body as sent, byte for byte: JSON.stringify could not write most of these numbers. */
    describe.each(['deposits', 'withdrawals'])('a malformed amount to %s: 400', (operation) => {
      it.each([
        ['a fraction of a cent', '{"amountCents": 0.1}', [AMOUNT_RULE]],
        ['a tiny fraction', '{"amountCents": 1e-7}', [AMOUNT_RULE]],
        ['zero', '{"amountCents": 0}', [AMOUNT_RULE]],
        ['a negative amount', '{"amountCents": -500}', [AMOUNT_RULE]],
        [
          'one cent over the maximum amount',
          `{"amountCents": ${MAX_AMOUNT_CENTS + 1}}`,
          [AMOUNT_RULE],
        ],
        ['2^53, which JSON holds exactly', '{"amountCents": 9007199254740992}', [AMOUNT_RULE]],
        [
          '2^53 + 1, which JSON.parse rounds',
          '{"amountCents": 9007199254740993}',
          inexact('9007199254740993'),
        ],
        ['1e308, a whole number JSON.parse rounds', '{"amountCents": 1e308}', inexact('1e308')],
        ['1e400, beyond any double', '{"amountCents": 1e400}', inexact('1e400')],
        [
          'a fraction JSON.parse rounds to a whole number',
          '{"amountCents": 100.000000000000000001}',
          inexact('100.000000000000000001'),
        ],
        ['a numeric string', '{"amountCents": "100"}', [AMOUNT_RULE]],
        ['a word', '{"amountCents": "ten"}', [AMOUNT_RULE]],
        ['null', '{"amountCents": null}', [AMOUNT_RULE]],
        ['a boolean', '{"amountCents": true}', [AMOUNT_RULE]],
        ['an array', '{"amountCents": [100]}', [AMOUNT_RULE]],
        ['no amount', '{}', [AMOUNT_RULE]],
        [
          'the amount in currency units, as before',
          '{"amount": 5}',
          ['property amount should not exist', AMOUNT_RULE],
        ],
        [
          'an unexpected field',
          '{"amountCents": 500, "currency": "EUR"}',
          ['property currency should not exist'],
        ],
      ])('%s: %s', async (_, json, message) => {
        const id = await openAccount('Ada', 1_000);

        const { body } = await http()
          .post(`/accounts/${id}/${operation}`)
          .set('Content-Type', 'application/json')
          .send(json)
          .expect(400);

        expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message });
        expect(await storedVersion(id)).toBe(2);
      });
    });

    it.each([
      ['no owner', {}],
      ['an empty owner', { owner: '' }],
      ['an owner that is not a string', { owner: 42 }],
    ])('an account with %s: 400', async (_, payload) => {
      await http().post('/accounts').send(payload).expect(400);
    });

    it('an id that is not a UUID: 400', async () => {
      await http().post('/accounts/not-a-uuid/deposits').send({ amountCents: 5 }).expect(400);
    });

    it('a change at a version the account is no longer at (If-Match): 409', async () => {
      const id = await openAccount('Ada', 10);

      await http()
        .post(`/accounts/${id}/deposits`)
        .set('If-Match', '"1"')
        .send({ amountCents: 5 })
        .expect(409);

      expect(await storedVersion(id)).toBe(2);
    });

    it('a malformed If-Match: 400', async () => {
      const id = await openAccount();

      await http()
        .post(`/accounts/${id}/deposits`)
        .set('If-Match', 'yesterday')
        .send({ amountCents: 5 })
        .expect(400);

      expect(await storedVersion(id)).toBe(1);
    });
  });

  describe('under concurrent withdrawals that together exceed the balance', () => {
    const withdrawTwice = (id: string, ifMatch?: string): Promise<Response[]> =>
      Promise.all(
        [7_000, 7_000].map((amountCents) => {
          const call = http().post(`/accounts/${id}/withdrawals`);
          if (ifMatch) void call.set('If-Match', ifMatch);
          return call.send({ amountCents });
        }),
      );

    it('retries the loser on a fresh load, which then refuses it: 200 and 422', async () => {
      const id = await openAccount('Ada', 10_000);

      const responses = await withdrawTwice(id);

      expect(responses.map((response) => response.status).sort()).toEqual([200, 422]);
      const { body } = await http().get(`/accounts/${id}`).expect(200);
      expect(body).toMatchObject({ balanceCents: 3_000, version: 3 });
    });

    it('answers 409 to the loser when both pinned the same version: 200 and 409', async () => {
      const id = await openAccount('Ada', 10_000);

      const responses = await withdrawTwice(id, '"2"');

      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      // Whether the loser read the account before or after the winner's save: the id, never the stream key.
      const loser = responses.find((response) => response.status === 409)!;
      expect(loser.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect((loser.body as { message: string }).message).toMatch(
        new RegExp(`^Account ${id} .*reload .* try again\\.$`),
      );
      expect(JSON.stringify(loser.body)).not.toMatch(/Account#|stream/i);
      const { body } = await http().get(`/accounts/${id}`).expect(200);
      expect(body).toMatchObject({ balanceCents: 3_000, version: 3 });
    });
  });
});
