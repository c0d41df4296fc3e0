import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { jest } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import { type NewEvent, SNAPSHOT_SORT_KEY, streamIdOf, TableCheckError } from '../../lib/index.js';
import {
  type BatchOrdering,
  createProjectionsHandler,
  type ProjectionsHandlerLogger,
} from '../../lib/lambda/index.js';
import { createViewTable, Projections } from '../../lib/projections/index.js';
import { testClientConfig } from '../support/dynamodb.js';
import { RequestLog } from '../support/request-log.js';
import {
  type Balance,
  Balances,
  type Bank,
  deposited,
  FEATURES,
  opened,
  poison,
  recordingLogger,
} from './support/balances-projection.js';
import { type LambdaFixture, lambdaFixture } from './support/lambda-fixture.js';

let fx: LambdaFixture;
/** The next version of each stream written by `save`. */
let versions: Map<string, number>;

beforeEach(async () => {
  fx = await lambdaFixture();
  versions = new Map();
});
afterEach(() => {
  fx.close();
  delete poison.amount;
  jest.restoreAllMocks();
});

/** A new account's stream id. */
const account = () => streamIdOf('BankAccount', randomUUID());
const idOf = (stream: string) => stream.split('#')[1]!;

/** Appends events to a stream (one transaction), after the ones `save` wrote before. */
async function save(
  stream: string,
  events: readonly NewEvent[],
  options: { snapshot?: boolean } = {},
): Promise<void> {
  const version = versions.get(stream) ?? 0;
  await fx.store.appendToStream(
    stream,
    version,
    events,
    options.snapshot
      ? { snapshot: { state: { at: version + events.length }, schemaVersion: 1 } }
      : {},
  );
  versions.set(stream, version + events.length);
}

/** The handler of a Lambda module over the fixture's tables, quiet. */
function handlerOf(
  options: {
    client?: DynamoDBClient;
    logger?: ProjectionsHandlerLogger;
    projectionsOptions?: Parameters<LambdaFixture['lambdaModule']>[0]['projectionsOptions'];
    ordering?: BatchOrdering;
  } = {},
) {
  return createProjectionsHandler(
    fx.lambdaModule({
      features: FEATURES,
      projections: [Balances],
      client: options.client,
      projectionsOptions: options.projectionsOptions,
    }),
    {
      contextOptions: { logger: false },
      logger: options.logger ?? recordingLogger(),
      ordering: options.ordering,
    },
  );
}

const sequenceOf = (record: StreamRecord) => record.dynamodb!.SequenceNumber!;
const balances = () => fx.view<Balance>('lambda-balances');
const bank = () => fx.view<Bank>('lambda-balances').get('bank');

describe('createProjectionsHandler: projections in a Lambda function on the table’s stream', () => {
  it('applies a clean batch in its order: every view is the fold of its events, and no record is reported', async () => {
    const [ada, bob] = [account(), account()];
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(ada, [deposited(idOf(ada), 10)]);
    await save(bob, [opened(idOf(bob), 'Bob')]);
    await save(bob, [deposited(idOf(bob), 5)]);
    await save(ada, [deposited(idOf(ada), 7)]);
    const records = await fx.streamRecords();

    const response = await handlerOf()(fx.lambdaEvent(records));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 17, deposits: 2 });
    expect(await balances().get(idOf(bob))).toEqual({ owner: 'Bob', balance: 5, deposits: 1 });
    expect(await bank()).toEqual({ accounts: 2, balance: 22 });
    expect(await balances().positionOf(idOf(ada), ada)).toBe(3);
  });

  it('has no second effect when Lambda delivers a batch again, whole or in part: totals included', async () => {
    const [ada, bob] = [account(), account()];
    await save(ada, [opened(idOf(ada), 'Ada'), deposited(idOf(ada), 10)]);
    await save(bob, [opened(idOf(bob), 'Bob')]);
    await save(ada, [deposited(idOf(ada), 3)]);
    const records = await fx.streamRecords();
    const handler = handlerOf();

    await handler(fx.lambdaEvent(records));
    const again = await handler(fx.lambdaEvent(records));
    const tail = await handler(fx.lambdaEvent(records.slice(1)));

    expect([again, tail]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 13, deposits: 2 });
    expect(await bank()).toEqual({ accounts: 2, balance: 13 });
  });

  it('reports a poison record as the one failure: records before it stay applied, none after it is, and the batch resumed from it completes once the handler is fixed', async () => {
    const [ada, bob, cy] = [account(), account(), account()];
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(bob, [opened(idOf(bob), 'Bob')]);
    await save(ada, [deposited(idOf(ada), 10)]);
    await save(bob, [deposited(idOf(bob), 13)]); // the poison
    await save(ada, [deposited(idOf(ada), 5)]);
    await save(cy, [opened(idOf(cy), 'Cy')]);
    const records = await fx.streamRecords();
    const poisonAt = 3;
    const logger = recordingLogger();
    const handler = handlerOf({ logger });
    poison.amount = 13;

    const failed = await handler(fx.lambdaEvent(records));

    expect(failed).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(records[poisonAt]!) }],
    });
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 10, deposits: 1 });
    expect(await balances().get(idOf(bob))).toEqual({ owner: 'Bob', balance: 0, deposits: 0 });
    expect(await balances().get(idOf(cy))).toBeUndefined();
    expect(await bank()).toEqual({ accounts: 2, balance: 10 });
    expect(logger.errors).toEqual([
      expect.stringMatching(
        new RegExp(`MoneyDeposited v2 of ${bob}.*${sequenceOf(records[poisonAt]!)}.*deposit of 13`),
      ),
    ]);

    // Lambda resumes at the reported record, as often as its retries allow; the handler is fixed meanwhile.
    expect(await handler(fx.lambdaEvent(records.slice(poisonAt)))).toEqual(failed);
    delete poison.amount;
    const resumed = await handler(fx.lambdaEvent(records.slice(poisonAt)));

    expect(resumed).toEqual({ batchItemFailures: [] });
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 15, deposits: 2 });
    expect(await balances().get(idOf(bob))).toEqual({ owner: 'Bob', balance: 13, deposits: 1 });
    expect(await balances().get(idOf(cy))).toEqual({ owner: 'Cy', balance: 0, deposits: 0 });
    expect(await bank()).toEqual({ accounts: 3, balance: 28 });
  });

  it('fails a stream’s later records on a poison event Lambda gave up on (its gap is read from the table), until the handler is fixed', async () => {
    const ada = account();
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(ada, [deposited(idOf(ada), 13)]); // the poison, discarded by Lambda after its retries
    await save(ada, [deposited(idOf(ada), 2)]);
    const records = await fx.streamRecords();
    const handler = handlerOf();
    poison.amount = 13;
    await handler(fx.lambdaEvent(records.slice(0, 2)));

    const later = await handler(fx.lambdaEvent(records.slice(2)));
    delete poison.amount;
    const fixed = await handler(fx.lambdaEvent(records.slice(2)));

    expect(later).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(records[2]!) }] });
    expect(fixed).toEqual({ batchItemFailures: [] });
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 15, deposits: 2 });
  });

  it('names the failing event inside a run of one stream’s records, whose earlier events are applied', async () => {
    const ada = account();
    await save(ada, [
      opened(idOf(ada), 'Ada'),
      deposited(idOf(ada), 1),
      deposited(idOf(ada), 13),
      deposited(idOf(ada), 2),
    ]);
    const records = await fx.streamRecords();
    poison.amount = 13;

    const response = await handlerOf()(fx.lambdaEvent(records));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(records[2]!) }] });
    expect(await balances().positionOf(idOf(ada), ada)).toBe(2);
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 1, deposits: 1 });
  });

  it('reports a views table that cannot be reached at the first record', async () => {
    const ada = account();
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(ada, [deposited(idOf(ada), 4)]);
    const records = await fx.streamRecords();
    const logger = recordingLogger();

    const response = await handlerOf({
      logger,
      // A table that goes missing once the function has started: the startup check would fail the start before.
      projectionsOptions: { viewsTable: `missing-${randomUUID()}`, checkTablesOnStartup: false },
    })(fx.lambdaEvent(records));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(records[0]!) }] });
    expect(logger.errors).toEqual([expect.stringContaining('AccountOpened v1')]);
  });

  it('fails the invocation of a cold start whose views table is missing, saying so, and starts on the next once it exists', async () => {
    const ada = account();
    await save(ada, [opened(idOf(ada), 'Ada')]);
    const records = await fx.streamRecords();
    const viewsTable = `views-later-${randomUUID()}`;
    const handler = handlerOf({ projectionsOptions: { viewsTable } });

    await expect(handler(fx.lambdaEvent(records))).rejects.toMatchObject({
      constructor: TableCheckError,
      problem: 'table-missing',
      tableName: viewsTable,
    });
    await createViewTable(fx.client, viewsTable);

    expect(await handler(fx.lambdaEvent(records))).toEqual({ batchItemFailures: [] });
  });

  it('reports a write the view store could not make at its record, and applies nothing after it', async () => {
    const [ada, bob] = [account(), account()];
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(bob, [opened(idOf(bob), 'Bob')]);
    await save(ada, [deposited(idOf(ada), 4)]);
    const records = await fx.streamRecords();
    // Bob's document cannot be written: DynamoDB answers 503 (after the SDK's retries) for it.
    const client = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => (args) => {
        if (JSON.stringify(args.input).includes(`lambda-balances#${idOf(bob)}`)) {
          const { headers } = args.request as { headers: Record<string, string> };
          if (!headers['x-amz-target']!.endsWith('GetItem'))
            throw Object.assign(new Error('Service unavailable'), {
              name: 'ServiceUnavailable',
              $fault: 'server',
            });
        }
        return next(args);
      },
      { step: 'build', name: 'unavailableForBob' },
    );

    try {
      const response = await handlerOf({ client })(fx.lambdaEvent(records));

      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: sequenceOf(records[1]!) }],
      });
      expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 0, deposits: 0 });
      expect(await balances().get(idOf(bob))).toBeUndefined();
      expect(await bank()).toEqual({ accounts: 1 });
    } finally {
      client.destroy();
    }
  });

  it('skips snapshot items and hands upcast events to the handlers as instances of their current class', async () => {
    const ada = account();
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(
      ada,
      [{ type: 'FundsAdded', schemaVersion: 1, payload: { accountId: idOf(ada), sum: 4 } }],
      { snapshot: true },
    );
    await save(ada, [deposited(idOf(ada), 6)], { snapshot: true });
    const records = await fx.streamRecords();
    const logger = recordingLogger();

    const response = await handlerOf({ logger })(fx.lambdaEvent(records));

    const snapshotRecords = records.filter(
      (record) => record.dynamodb?.NewImage?.version?.N === String(SNAPSHOT_SORT_KEY),
    );
    expect(snapshotRecords.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 10, deposits: 2 });
    expect(logger.warnings).toEqual([]);
  });

  it('reads the events a batch lacks from the table, in order, before the ones it has', async () => {
    const ada = account();
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(ada, [deposited(idOf(ada), 2)]);
    await save(ada, [deposited(idOf(ada), 3)]);
    const records = await fx.streamRecords();

    const response = await handlerOf()(fx.lambdaEvent(records.slice(-1)));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 5, deposits: 2 });
  });

  it('applies a run of one stream’s consecutive records with one read and one write, and a record alone with its own', async () => {
    const [ada, bob] = [account(), account()];
    await save(ada, [opened(idOf(ada), 'Ada'), deposited(idOf(ada), 1), deposited(idOf(ada), 2)]);
    await save(bob, [opened(idOf(bob), 'Bob')]);
    await save(ada, [deposited(idOf(ada), 3)]);
    const records = await fx.streamRecords();
    const client = new DynamoDBClient(testClientConfig());
    const sent = RequestLog.attachTo(client);

    try {
      await handlerOf({ client })(fx.lambdaEvent(records));
    } finally {
      client.destroy();
    }

    // Runs: Ada 1–3, Bob 1, Ada 4; each write is one TransactWriteItems (the document and the bank's increment).
    const documentRequests = sent.requests
      .map(({ command }) => command)
      // The startup check of the events and views tables, and the projections' generations, read per apply().
      .filter((command) => command !== 'DescribeTableCommand' && command !== 'BatchGetItemCommand');
    expect(documentRequests).toEqual([
      'GetItemCommand',
      'TransactWriteItemsCommand',
      'GetItemCommand',
      'TransactWriteItemsCommand',
      'GetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 6, deposits: 3 });
  });

  it('with handlerFailures "park", parks a poison event and succeeds: its stream waits behind it, the others go on', async () => {
    const [ada, bob] = [account(), account()];
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(ada, [deposited(idOf(ada), 13)]);
    await save(bob, [opened(idOf(bob), 'Bob')]);
    await save(ada, [deposited(idOf(ada), 1)]);
    const records = await fx.streamRecords();
    poison.amount = 13;
    const handler = createProjectionsHandler(
      async () => {
        const context = await NestFactory.createApplicationContext(
          fx.lambdaModule({
            features: FEATURES,
            projections: [Balances],
            projectionsOptions: { handlerFailures: 'park' },
          }),
          { logger: false },
        );
        parkedOf = () => context.get(Projections, { strict: false }).parked();
        return context;
      },
      { logger: recordingLogger() },
    );
    let parkedOf: () => Promise<unknown[]> = () => Promise.resolve([]);

    const response = await handler(fx.lambdaEvent(records));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await parkedOf()).toEqual([
      expect.objectContaining({ projection: 'lambda-balances', streamId: ada, version: 2 }),
    ]);
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 0, deposits: 0 });
    expect(await balances().get(idOf(bob))).toEqual({ owner: 'Bob', balance: 0, deposits: 0 });
  });
});

describe('createProjectionsHandler with ordering "stream": each stream’s records at once, streams side by side', () => {
  it('applies an interleaved batch with one read and one write per document, to the same views', async () => {
    const [ada, bob] = [account(), account()];
    for (const amount of [1, 2, 3]) {
      if (amount === 1) {
        await save(ada, [opened(idOf(ada), 'Ada')]);
        await save(bob, [opened(idOf(bob), 'Bob')]);
      }
      await save(ada, [deposited(idOf(ada), amount)]);
      await save(bob, [deposited(idOf(bob), amount * 10)]);
    }
    const records = await fx.streamRecords();
    const client = new DynamoDBClient(testClientConfig());
    const sent = RequestLog.attachTo(client);

    try {
      expect(await handlerOf({ client, ordering: 'stream' })(fx.lambdaEvent(records))).toEqual({
        batchItemFailures: [],
      });
    } finally {
      client.destroy();
    }

    expect(records).toHaveLength(8);
    expect(sent.count('GetItemCommand')).toBe(2);
    expect(sent.count('TransactWriteItemsCommand')).toBe(2);
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 6, deposits: 3 });
    expect(await balances().get(idOf(bob))).toEqual({ owner: 'Bob', balance: 60, deposits: 3 });
    expect(await bank()).toEqual({ accounts: 2, balance: 66 });
  });

  it('reports the first record in the batch’s order that is not applied, of whichever stream failed first in it; resumed from there, the batch completes once, totals included', async () => {
    const [ada, bob, cy] = [account(), account(), account()];
    await save(ada, [opened(idOf(ada), 'Ada')]);
    await save(bob, [opened(idOf(bob), 'Bob')]);
    await save(bob, [deposited(idOf(bob), 13)]); // the first poison in the batch's order
    await save(ada, [deposited(idOf(ada), 13)]); // a second one
    await save(ada, [deposited(idOf(ada), 5)]);
    await save(cy, [opened(idOf(cy), 'Cy')]);
    const records = await fx.streamRecords();
    const handler = handlerOf({ ordering: 'stream' });
    poison.amount = 13;

    const failed = await handler(fx.lambdaEvent(records));

    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(records[2]!) }] });
    // Cy's opening, after the reported record, is applied already: Lambda delivers it again, and it is skipped.
    expect(await balances().get(idOf(cy))).toEqual({ owner: 'Cy', balance: 0, deposits: 0 });
    expect(await balances().positionOf(idOf(ada), ada)).toBe(1);
    delete poison.amount;
    const resumed = await handler(fx.lambdaEvent(records.slice(2)));

    expect(resumed).toEqual({ batchItemFailures: [] });
    expect(await balances().get(idOf(ada))).toEqual({ owner: 'Ada', balance: 18, deposits: 2 });
    expect(await balances().get(idOf(bob))).toEqual({ owner: 'Bob', balance: 13, deposits: 1 });
    expect(await bank()).toEqual({ accounts: 3, balance: 31 });
  });
});
