import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { EventPublisher } from '@nestjs/cqrs';
import { streamIdOf } from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import { Account } from '../sample/accounts/account.aggregate.js';
import { AccountOpened, MoneyDeposited } from '../sample/accounts/account.events.js';
import { startAccountStore } from './support/account-store.js';
import { medianCpuMicros } from './support/cpu-timer.js';
import { eventPage } from './support/event-pages.js';
import { stubbedClient, WRITE_ACCEPTED } from './support/stub-dynamodb.js';

export interface CpuRow {
  readonly operation: string;
  readonly libraryMicros: number;
  /** The SDK client alone sending the same requests, items left as attribute values. */
  readonly bareSdkMicros: number;
  /** The same requests plus what code without the library must do to get the same result. */
  readonly handWrittenMicros: number;
  readonly ratioToHandWritten: number;
  readonly ratioToBareSdk: number;
}

const TABLE = 'events';
const ACCOUNT_ID = '7d1c2b0e-4f0a-4b8e-9a51-3f1f6f2d9c11';
const STREAM_ID = streamIdOf('Account', ACCOUNT_ID);

/**
 * CPU per operation of the library against the bare SDK client sending the very same requests, on a stubbed
 * transport that answers both with the same canned pages. Two baselines: the requests alone, items left as
 * attribute values (the floor), and the requests plus the decoding and replay code without the library would need
 * to reach the same state (what using the library is weighed against).
 */
export async function measureCpuVersusRawSdk({ quick }: { quick: boolean }): Promise<CpuRow[]> {
  const rows: CpuRow[] = [];
  for (const events of [10, 1000]) {
    const page = eventPage(STREAM_ID, ACCOUNT_ID, 1, events);
    const client = stubbedClient((operation) => (operation === 'Query' ? page : WRITE_ACCEPTED));
    const store = await startAccountStore(client, TABLE, 100);
    const raw = handWrittenStore(client, store.publisher);
    try {
      const loaded = await store.accounts.load(ACCOUNT_ID);
      const handLoaded = await raw.load();
      if (
        store.accounts.versionOf(loaded) !== events ||
        handLoaded.balanceCents !== loaded.balanceCents
      ) {
        throw new Error('the stub did not answer as expected');
      }
      const iterations = quick ? 1 : Math.max(20, Math.round(20_000 / events));
      const timing = { iterations, warmup: quick ? 1 : iterations, rounds: quick ? 1 : 9 };

      const load = await medianCpuMicros(
        { library: () => store.accounts.load(ACCOUNT_ID), bare: raw.query, handWritten: raw.load },
        timing,
      );
      rows.push(row(`load (replay) of ${events} events`, load));
      if (events === 10) {
        const command = await medianCpuMicros(
          {
            library: async () => {
              const account = await store.accounts.load(ACCOUNT_ID);
              account.deposit(1);
              await store.accounts.save(account);
            },
            bare: async () => {
              await raw.query();
              await raw.put(events + 1, { accountId: ACCOUNT_ID, amountCents: 1 });
            },
            handWritten: async () => {
              const account = await raw.load();
              account.deposit(1);
              await raw.put(events + 1, account.getUncommittedEvents()[0]!);
              account.commit();
            },
          },
          timing,
        );
        rows.push(row('command: load 10 events, deposit, save 1', command));
      } else {
        const read = await medianCpuMicros(
          {
            library: () => lastValueFrom(store.store.readStream(STREAM_ID).pipe(toArray())),
            bare: raw.queryAll,
            handWritten: raw.readAll,
          },
          timing,
        );
        rows.push(row(`read of ${events} events with metadata (core readStream)`, read));
      }
    } finally {
      await store.close();
      client.destroy();
    }
  }
  return rows;
}

/** The library's requests, and the least code that gets the same result from them, on the bare client. */
function handWrittenStore(client: DynamoDBClient, publisher: EventPublisher) {
  const streamQuery = (attributes?: string[]): QueryCommandInput => ({
    TableName: TABLE,
    KeyConditionExpression: '#stream = :stream AND #version BETWEEN :from AND :to',
    ExpressionAttributeNames: {
      '#stream': 'streamId',
      '#version': 'version',
      ...Object.fromEntries((attributes ?? []).map((name) => [`#${name}`, name])),
    },
    ...(attributes
      ? { ProjectionExpression: attributes.map((name) => `#${name}`).join(', ') }
      : {}),
    ExpressionAttributeValues: {
      ':stream': { S: STREAM_ID },
      ':from': { N: '1' },
      ':to': { N: String(Number.MAX_SAFE_INTEGER - 1) },
    },
    ConsistentRead: true,
  });
  const replayQuery = streamQuery(['version', 'type', 'schemaVersion', 'payload']);
  const fullQuery = streamQuery();
  const query = () => client.send(new QueryCommand(replayQuery));
  const queryAll = () => client.send(new QueryCommand(fullQuery));
  const toEvent = (item: Record<string, AttributeValue>) => {
    const payload = JSON.parse(item.payload!.S!) as {
      accountId: string;
      owner: string;
      amountCents: number;
    };
    return item.type!.S === 'AccountOpened'
      ? new AccountOpened(payload.accountId, payload.owner)
      : new MoneyDeposited(payload.accountId, payload.amountCents);
  };
  return {
    query,
    queryAll,
    load: async () => {
      const { Items = [] } = await query();
      const account = publisher.mergeObjectContext(new Account(ACCOUNT_ID));
      account.loadFromHistory(Items.map(toEvent));
      return account;
    },
    readAll: async () => {
      const { Items = [] } = await queryAll();
      return Items.map((item) => ({
        version: Number(item.version!.N),
        type: item.type!.S!,
        payload: JSON.parse(item.payload!.S!) as unknown,
        metadata: JSON.parse(item.metadata!.S!) as unknown,
        eventId: item.eventId!.S!,
        recordedAt: new Date(item.recordedAt!.S!),
      }));
    },
    put: (version: number, payload: object) =>
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            streamId: { S: STREAM_ID },
            version: { N: String(version) },
            type: { S: 'MoneyDeposited' },
            schemaVersion: { N: '2' },
            payload: { S: JSON.stringify(payload) },
            metadata: { S: '{}' },
            eventId: { S: randomUUID() },
            recordedAt: { S: new Date().toISOString() },
          },
          ConditionExpression: 'attribute_not_exists(#version)',
          ExpressionAttributeNames: { '#version': 'version' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
  };
}

function row(
  operation: string,
  { library, bare, handWritten }: { library: number; bare: number; handWritten: number },
): CpuRow {
  return {
    operation,
    libraryMicros: library,
    bareSdkMicros: bare,
    handWrittenMicros: handWritten,
    ratioToHandWritten: library / handWritten,
    ratioToBareSdk: library / bare,
  };
}
