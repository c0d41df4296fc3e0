import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeWithout } from '../support/without-packages.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * In a fresh process: one event appended (PutItem), two (TransactWriteItems), a conflicting append, the stream read
 * back; then whether promise hooks are on. With them off, a promise reaction runs with async id 0; entering an
 * AsyncLocalStorage turns them on for the rest of the process (Node 20 and 22), and every promise pays for them.
 */
const CHILD = `
import { executionAsyncId } from 'node:async_hooks';
const core = await import(${JSON.stringify(join(ROOT, 'lib/framework-free.ts'))});
const client = core.createDynamoDBClient({
  clientConfig: core.dynamoDBClientConfig({ endpoint: process.env.DYNAMODB_ENDPOINT }),
});
await core.createEventStoreTable(client, process.env.EVENTS_TABLE);
const store = new core.DynamoEventStore({ client, tableName: process.env.EVENTS_TABLE });
const stream = core.streamIdOf('Account', 'a-1');
await store.appendToStream(stream, 0, [{ type: 'Opened', payload: {} }]);
await store.appendToStream(stream, 1, [{ type: 'Renamed', payload: {} }, { type: 'Renamed', payload: {} }]);
const conflict = await store.appendToStream(stream, 1, [{ type: 'Renamed', payload: {} }]).catch((error) => error.name);
let events = 0;
await store.readStream(stream).forEach(() => events++);
client.destroy();
const asyncId = await Promise.resolve().then(() => executionAsyncId());
console.log(JSON.stringify({ events, conflict, promiseHooksOn: asyncId !== 0 }));
`;

describe('the DynamoDB store', () => {
  it('appends, reads and settles a failed write without turning on promise hooks', async () => {
    const { stdout } = await nodeWithout([], ['--input-type=module', '-e', CHILD], {
      EVENTS_TABLE: `events-promise-hooks-${randomUUID()}`,
    });

    expect(JSON.parse(stdout)).toEqual({
      events: 3,
      conflict: 'ConcurrencyError',
      promiseHooksOn: false,
    });
  });
});
