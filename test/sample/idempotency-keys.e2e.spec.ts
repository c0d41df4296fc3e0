import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../../sample/accounts/http/idempotency-key.js';
import { type SampleApp, startSampleAppOnTestEndpoint } from './sample-app.js';

/** The Idempotency-Key header on every POST of the sample, on moto. */

let sample: SampleApp;

beforeAll(async () => {
  sample = await startSampleAppOnTestEndpoint();
});
afterAll(() => sample.app.close());

const http = () => sample.http();

const post = (path: string, body: object, key?: string) => {
  const call = http().post(path);
  if (key !== undefined) void call.set('Idempotency-Key', key);
  return call.send(body);
};

/** What a client sees of an answer: the status, the body, the ETag. */
const seen = ({ status, body, headers }: Response) => ({ status, body, etag: headers.etag });

interface Route {
  readonly name: string;
  /** The accounts the request touches, created afresh. */
  accounts(): Promise<string[]>;
  path(accounts: string[]): string;
  body(accounts: string[]): object;
  /** The versions of the accounts once the request was applied once. */
  readonly versionsAfter: number[];
}

const ROUTES: Route[] = [
  {
    name: 'POST /accounts',
    accounts: () => Promise.resolve([]),
    path: () => '/accounts',
    body: () => ({ owner: 'Ada' }),
    versionsAfter: [],
  },
  {
    name: 'POST /accounts/:id/deposits',
    accounts: async () => [await sample.openAccount('Ada', 100)],
    path: ([id]) => `/accounts/${id}/deposits`,
    body: () => ({ amountCents: 25 }),
    versionsAfter: [3],
  },
  {
    name: 'POST /accounts/:id/withdrawals',
    accounts: async () => [await sample.openAccount('Ada', 100)],
    path: ([id]) => `/accounts/${id}/withdrawals`,
    body: () => ({ amountCents: 25 }),
    versionsAfter: [3],
  },
  {
    name: 'POST /transfers',
    accounts: async () => [await sample.openAccount('Ada', 100), await sample.openAccount('Bob')],
    path: () => '/transfers',
    body: ([fromId, toId]) => ({ fromId, toId, amountCents: 25 }),
    versionsAfter: [3, 2],
  },
];

const versions = (ids: readonly string[]) => Promise.all(ids.map((id) => sample.storedVersion(id)));

describe('the Idempotency-Key header', () => {
  describe.each(ROUTES)('on $name', (route) => {
    it('answers a repeat with the same status, body and ETag, and applies the request once', async () => {
      const ids = await route.accounts();
      const key = randomUUID();

      const first = await post(route.path(ids), route.body(ids), key);
      const repeat = await post(route.path(ids), route.body(ids), key);

      expect(first.status).toBeLessThan(300);
      expect(seen(repeat)).toEqual(seen(first));
      expect(await versions(ids)).toEqual(route.versionsAfter);
      // The key is stored with the one write the request made: the streams it wrote, once.
      const written = ids.length > 0 ? ids : [(first.body as { id: string }).id];
      expect((await sample.store.readIdempotencyKey(key))?.streams).toEqual(
        written.map((id, index) => ({
          streamId: `Account#${id}`,
          version: route.versionsAfter[index] ?? 1,
        })),
      );
    });

    it('refuses the key for a different body with 422, changing nothing', async () => {
      const ids = await route.accounts();
      const key = randomUUID();
      await post(route.path(ids), route.body(ids), key);
      const different = {
        ...route.body(ids),
        ...('owner' in route.body(ids) ? { owner: 'Bob' } : { amountCents: 26 }),
      };

      const { body } = await post(route.path(ids), different, key).expect(422);

      expect(body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: expect.stringMatching(
          new RegExp(
            `^The Idempotency-Key "${key}" was used at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z for a different request\\. ` +
              'Nothing was done: send this request with a new key\\.$',
          ),
        ),
      });
      expect(await versions(ids)).toEqual(route.versionsAfter);
    });
  });

  it('refuses a key used on one route for a request on another: 422', async () => {
    const id = await sample.openAccount('Ada', 100);
    const key = randomUUID();
    await post(`/accounts/${id}/deposits`, { amountCents: 10 }, key).expect(200);

    await post(`/accounts/${id}/withdrawals`, { amountCents: 10 }, key).expect(422);
    await post(`/accounts/${id}/deposits`, { amountCents: 10 }, key).expect(200);

    expect(await sample.storedVersion(id)).toBe(3);
  });

  it('answers the repeat of a refused request with the same 422, even once it would pass', async () => {
    const id = await sample.openAccount('Ada', 100);
    const key = randomUUID();
    const refused = await post(`/accounts/${id}/withdrawals`, { amountCents: 150 }, key).expect(
      422,
    );
    await post(`/accounts/${id}/deposits`, { amountCents: 100 }).expect(200);

    const repeat = await post(`/accounts/${id}/withdrawals`, { amountCents: 150 }, key);

    expect(seen(repeat)).toEqual(seen(refused));
    expect(refused.body).toMatchObject({
      message: 'Cannot withdraw 150 cents: the balance is 100 cents.',
    });
    // A new key is a new request.
    await post(`/accounts/${id}/withdrawals`, { amountCents: 150 }, randomUUID()).expect(200);
  });

  it('applies a request once for five copies sent at once, and answers each the same', async () => {
    const id = await sample.openAccount('Ada', 100);
    const key = randomUUID();

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(`/accounts/${id}/deposits`, { amountCents: 7 }, key)),
    );

    expect(answers.map(seen)).toEqual(answers.map(() => seen(answers[0]!)));
    expect(answers[0]!.body).toMatchObject({ balanceCents: 107, version: 3 });
    expect(await sample.storedVersion(id)).toBe(3);
  });

  it('reads a quoted key (a Structured Field String) and the bare key as the same key', async () => {
    const id = await sample.openAccount('Ada', 100);
    const key = randomUUID();

    const quoted = await post(`/accounts/${id}/deposits`, { amountCents: 5 }, `"${key}"`).expect(
      200,
    );
    const bare = await post(`/accounts/${id}/deposits`, { amountCents: 5 }, key).expect(200);

    expect(bare.body).toEqual(quoted.body);
    expect(await sample.storedVersion(id)).toBe(3);
  });

  const INVALID =
    `Idempotency-Key must be one key of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters, such as a ` +
    'UUID, bare or as a quoted string ("…"). Nothing was done.';

  it.each([
    ['empty', ''],
    ['an empty quoted string', '""'],
    ['a lone quote', '"'],
    [
      `longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1),
    ],
    ['with a space, unquoted', 'two words'],
    ['beyond ASCII', 'clé-1'],
  ])('refuses a key that is %s: 400, changing nothing', async (_, key) => {
    const id = await sample.openAccount('Ada', 100);

    const { body } = await post(`/accounts/${id}/deposits`, { amountCents: 5 }, key).expect(400);

    expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message: INVALID });
    expect(await sample.storedVersion(id)).toBe(2);
  });

  it('takes a key of the maximum length, and refuses two Idempotency-Key headers: 400', async () => {
    const id = await sample.openAccount('Ada', 100);
    await post(
      `/accounts/${id}/deposits`,
      { amountCents: 5 },
      'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH),
    ).expect(200);

    await http()
      .post(`/accounts/${id}/deposits`)
      // Sent as two header lines; supertest types arrays for Cookie only.
      .set('Idempotency-Key', [randomUUID(), randomUUID()] as unknown as string)
      .send({ amountCents: 5 })
      .expect(400);

    expect(await sample.storedVersion(id)).toBe(3);
  });
});
