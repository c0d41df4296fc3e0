import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeWithout } from '../support/without-packages.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NEST = ['@nestjs/common', '@nestjs/core', '@nestjs/cqrs'];

/**
 * In the child: the core entry imported, then each store appends two events to a stream and reads them back, the
 * DynamoDB one on the tests' endpoint. Reads with Observable#forEach, so that the child imports no rxjs itself and
 * the require cache shows what the entry loaded (rxjs and @nestjs/* are CommonJS: importing them caches them).
 */
const CHILD = `
import { createRequire } from 'node:module';
const core = await import(${JSON.stringify(join(ROOT, 'lib/framework-free.ts'))});
const loaded = Object.keys(createRequire(import.meta.url).cache);
const client = core.createDynamoDBClient({
  clientConfig: core.dynamoDBClientConfig({ endpoint: process.env.DYNAMODB_ENDPOINT }),
});
await core.createEventStoreTable(client, process.env.EVENTS_TABLE);
const stores = {
  inMemory: new core.InMemoryEventStore(),
  dynamodb: new core.DynamoEventStore({ client, tableName: process.env.EVENTS_TABLE }),
};
const read = {};
for (const [name, store] of Object.entries(stores)) {
  const stream = core.streamIdOf('Account', 'a-1');
  const { version } = await store.appendToStream(stream, 0, [{ type: 'Opened', payload: { owner: 'Ada' } }]);
  await store.appendToStream(stream, version, [{ type: 'Renamed', payload: { owner: 'Grace' } }]);
  const events = [];
  await store.readStream(stream).forEach((event) => events.push([event.version, event.type, event.payload.owner]));
  read[name] = events;
}
client.destroy();
console.log(JSON.stringify({
  read,
  nest: loaded.filter((path) => path.includes('/@nestjs/')),
  rxjsIndex: loaded.filter((path) => /\\/rxjs\\/dist\\/[^/]+\\/index\\.js$/.test(path)),
}));
`;

describe('nestjs-dynamo-es/core, the framework-free entry', () => {
  it('loads and works where @nestjs/common, @nestjs/core and @nestjs/cqrs are not installed', async () => {
    const { stdout } = await nodeWithout(NEST, ['--input-type=module', '-e', CHILD], {
      EVENTS_TABLE: `events-core-entry-${randomUUID()}`,
    });

    const expected = [
      [1, 'Opened', 'Ada'],
      [2, 'Renamed', 'Grace'],
    ];
    expect(JSON.parse(stdout)).toEqual({
      read: { inMemory: expected, dynamodb: expected },
      nest: [],
      // rxjs's index loads every operator: the stores take Observable and Subject alone (lib/core/observable.ts).
      rxjsIndex: [],
    });
  });

  it('is the part of the main entry that needs no Nest: the main entry itself does', async () => {
    const code = `await import(${JSON.stringify(join(ROOT, 'lib/index.ts'))});`;

    await expect(nodeWithout(NEST, ['--input-type=module', '-e', code])).rejects.toMatchObject({
      stderr: expect.stringMatching(/Cannot find package '@nestjs\/(common|core|cqrs)'/),
    });
  });
});
