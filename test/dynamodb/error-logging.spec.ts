import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import {
  ConcurrencyError,
  DEBUG_ERRORS_VARIABLE,
  DynamoEventStore,
  EventStoreWriteError,
  streamIdOf,
} from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';

describe("the store's errors in logs", () => {
  const client = testClient();
  afterAll(() => client.destroy());

  /** A real conflict on DynamoDB: its cause is the SDK's ConditionalCheckFailedException, holding the stored item. */
  async function conflict(): Promise<ConcurrencyError> {
    const store = new DynamoEventStore({ client, tableName: await createTestTable(client) });
    const stream = streamIdOf('Account', randomUUID());
    await store.appendToStream(stream, 0, [
      { type: 'AccountOpened', payload: { owner: 'secret owner' } },
    ]);
    const error = await store
      .appendToStream(stream, 0, [{ type: 'AccountOpened', payload: {} }])
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConcurrencyError);
    return error as ConcurrencyError;
  }

  it('print a conflict as one line, with its cause named, and no stored item', async () => {
    const error = await conflict();

    const logged = inspect(error);

    expect(logged.split('\n')).toHaveLength(1);
    expect(logged).toMatch(
      /^ConcurrencyError: Stream "Account#.*" is no longer at version 0: version 1 already exists\..*\(cause: ConditionalCheckFailedException: The conditional request failed\)$/,
    );
    expect(logged).not.toMatch(/secret owner|Item|\$metadata|requestId/);
  });

  it('print other errors with their stack and cause, without the cause’s fields', () => {
    const cause = Object.assign(new Error('socket hang up'), {
      name: 'TimeoutError',
      Item: { payload: { S: '{"owner":"secret owner"}' } },
      $metadata: { requestId: 'r-1' },
    });
    const error = new EventStoreWriteError('Account#1', 3, 'unknown', { cause, eventIds: ['e-4'] });

    const logged = inspect(error);

    expect(logged).toMatch(
      /^EventStoreWriteError: Could not append to stream "Account#1" at version 3/,
    );
    expect(logged).toMatch(/\n\s+at /);
    expect(logged).toMatch(/\n {2}cause: TimeoutError: socket hang up$/);
    expect(logged).not.toMatch(/secret owner|\$metadata|r-1/);
  });

  it(`print everything with ${DEBUG_ERRORS_VARIABLE}=true`, async () => {
    const error = await conflict();
    process.env[DEBUG_ERRORS_VARIABLE] = 'true';
    try {
      const logged = inspect(error, { depth: 5 });

      expect(logged).toMatch(/Item/);
      expect(logged).toMatch(/secret owner/);
    } finally {
      delete process.env[DEBUG_ERRORS_VARIABLE];
    }
  });
});
