import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AggregateRepository, getAggregateRepositoryToken } from 'nestjs-dynamo-es';
import { Account } from '../../sample/accounts/account.aggregate.js';
import { MoneyDeposited } from '../../sample/accounts/account.events.js';
import { MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS } from '../../sample/accounts/money.js';
import type { AccountSummary } from '../../sample/accounts/read-model/account-directory.projection.js';
import { testClient } from '../support/dynamodb.js';
import { eventually } from '../support/eventually.js';
import { accountsInTable, halfAppliedTransfers } from './events-table-fold.js';
import { readHistory, type SampleApp, startSampleApp } from './sample-app.js';

/** POST /transfers on moto: one atomic write for both accounts, in both histories, refused whole. */

let client: DynamoDBClient;
let sample: SampleApp;

beforeAll(async () => {
  client = testClient();
  sample = await startSampleApp(client);
});
afterAll(async () => {
  await sample.app.close();
  client.destroy();
});

const http = () => sample.http();
const UNKNOWN_ID = '5b0f8a4e-1f5e-4c3a-9d2b-7a6c5e4d3f21';
const transfer = (body: unknown) =>
  http()
    .post('/transfers')
    .send(body as object);

describe('transfers over HTTP', () => {
  it('moves money in one write, answers the receipt, and shows in both histories', async () => {
    const [fromId, toId] = [
      await sample.openAccount('Ada', 10_000),
      await sample.openAccount('Bob', 500),
    ];

    const { body } = await transfer({ fromId, toId, amountCents: 2_550 }).expect(200);

    const { transferId } = body as { transferId: string };
    expect(body).toEqual({
      transferId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      amountCents: 2_550,
      from: { id: fromId, owner: 'Ada', balanceCents: 7_450, version: 3 },
      to: { id: toId, version: 3 },
    });
    await http().get(`/accounts/${fromId}`).expect(200).expect('ETag', '"3"');
    await http()
      .get(`/accounts/${toId}`)
      .expect(200, { id: toId, owner: 'Bob', balanceCents: 3_050, version: 3 });
    const [fromHistory, toHistory] = [
      await readHistory(sample, fromId),
      await readHistory(sample, toId),
    ];
    expect(fromHistory.at(-1)).toEqual({
      id: '3',
      data: expect.objectContaining({
        version: 3,
        type: 'MoneyTransferredOut',
        event: { accountId: fromId, transferId, toAccountId: toId, amountCents: 2_550 },
      }),
    });
    expect(toHistory.at(-1)).toEqual({
      id: '3',
      data: expect.objectContaining({
        version: 3,
        type: 'MoneyTransferredIn',
        event: { accountId: toId, transferId, fromAccountId: fromId, amountCents: 2_550 },
      }),
    });
    // The read model follows each account's stream.
    const listed = await eventually(
      async () => (await http().get('/accounts').expect(200)).body as AccountSummary[],
      (accounts) =>
        accounts.some((a) => a.id === fromId && a.balanceCents === 7_450) &&
        accounts.some((a) => a.id === toId && a.balanceCents === 3_050),
    );
    expect(listed).toContainEqual({ id: toId, owner: 'Bob', balanceCents: 3_050 });
    const inTable = await accountsInTable(client, sample.tableName);
    expect(halfAppliedTransfers(inTable)).toEqual([]);
  });

  describe('refuses, writing nothing on either account,', () => {
    it('a transfer of more than the balance: 422', async () => {
      const [fromId, toId] = [
        await sample.openAccount('Ada', 100),
        await sample.openAccount('Bob'),
      ];

      const { body } = await transfer({ fromId, toId, amountCents: 101 }).expect(422);

      expect(body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'Cannot transfer 101 cents: the balance is 100 cents.',
      });
      expect([await sample.storedVersion(fromId), await sample.storedVersion(toId)]).toEqual([
        2, 1,
      ]);
    });

    it("a transfer that would take the receiver's balance over its maximum: 422", async () => {
      const [fromId, toId] = [
        await sample.openAccount('Ada', 100),
        await sample.openAccount('Bob'),
      ];
      // Reaching the maximum through the API takes 10,000 maximal deposits: seeded past the rules instead.
      const accounts = sample.app.get<AggregateRepository<Account>>(
        getAggregateRepositoryToken(Account),
      );
      const receiver = await accounts.load(toId);
      receiver.apply(new MoneyDeposited(toId, MAX_BALANCE_CENTS - 50));
      await accounts.save(receiver);

      const { body } = await transfer({ fromId, toId, amountCents: 51 }).expect(422);

      // The sender learns nothing of the receiver's balance.
      expect(body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message:
          `Cannot transfer 51 cents to account ${toId}: its balance would exceed the maximum balance of ` +
          `${MAX_BALANCE_CENTS} cents.`,
      });
      expect([await sample.storedVersion(fromId), await sample.storedVersion(toId)]).toEqual([
        2, 2,
      ]);
      await transfer({ fromId, toId, amountCents: 50 }).expect(200);
    });

    it.each([
      ['the sender', (known: string) => ({ fromId: UNKNOWN_ID, toId: known })],
      ['the receiver', (known: string) => ({ fromId: known, toId: UNKNOWN_ID })],
    ])('a transfer when %s does not exist: 404', async (_, ids) => {
      const known = await sample.openAccount('Ada', 100);

      const { body } = await transfer({ ...ids(known), amountCents: 10 }).expect(404);

      expect(body).toMatchObject({ message: `Account ${UNKNOWN_ID} does not exist.` });
      expect(await sample.storedVersion(known)).toBe(2);
      expect(await sample.storedVersion(UNKNOWN_ID)).toBe(0);
    });

    const AMOUNT_RULE = `amountCents must be a whole number of cents from 1 to ${MAX_AMOUNT_CENTS}, sent as a JSON number`;
    it.each([
      [
        'a transfer to the sending account itself',
        { sameAccount: true, amount: '10' },
        ['toId must be another account than fromId'],
      ],
      ['an amount of zero', { amount: '0' }, [AMOUNT_RULE]],
      ['an amount with a fraction of a cent', { amount: '0.5' }, [AMOUNT_RULE]],
      ['a negative amount', { amount: '-10' }, [AMOUNT_RULE]],
      [
        'an amount one cent over the maximum',
        { amount: String(MAX_AMOUNT_CENTS + 1) },
        [AMOUNT_RULE],
      ],
      ['an amount as a numeric string', { amount: '"10"' }, [AMOUNT_RULE]],
      [
        'an amount of 2^53 + 1, which JSON.parse rounds',
        { amount: '9007199254740993' },
        'The number 9007199254740993 cannot be read exactly: JSON numbers hold whole numbers exactly only up ' +
          `to ${Number.MAX_SAFE_INTEGER}, and about 16 significant digits. Nothing was done.`,
      ],
      [
        'a receiver id that is not a UUID',
        { toId: 'not-a-uuid', amount: '10' },
        ['toId must be a UUID'],
      ],
    ])(
      '%s: 400',
      async (
        _,
        { sameAccount, toId, amount }: { sameAccount?: boolean; toId?: string; amount: string },
        message,
      ) => {
        const [fromId, otherId] = [
          await sample.openAccount('Ada', 100),
          await sample.openAccount('Bob'),
        ];
        const receiver = toId ?? (sameAccount ? fromId : otherId);

        // The body as sent, byte for byte: JSON.stringify could not write some of these numbers.
        const { body } = await http()
          .post('/transfers')
          .set('Content-Type', 'application/json')
          .send(`{"fromId": "${fromId}", "toId": "${receiver}", "amountCents": ${amount}}`)
          .expect(400);

        expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message });
        expect([await sample.storedVersion(fromId), await sample.storedVersion(otherId)]).toEqual([
          2, 1,
        ]);
      },
    );
  });
});
