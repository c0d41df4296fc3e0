import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createViewTable, DynamoViewStore } from '../../../lib/projections/index.js';
import { testClient } from '../../support/dynamodb.js';
import { describeViewStoreContract } from './view-store.contract.js';

describeViewStoreContract('DynamoDB', async () => {
  const client = testClient();
  const tableName = `views-test-${randomUUID()}`;
  await createViewTable(client, tableName);
  return {
    store: new DynamoViewStore({ client, tableName }),
    stop: () => Promise.resolve(client.destroy()),
  };
});

describe('the DynamoDB view store', () => {
  it("stores a document's fields as native attributes beside its own, readable in the console", async () => {
    const client = testClient();
    const tableName = `views-test-${randomUUID()}`;
    await createViewTable(client, tableName);
    const store = new DynamoViewStore({ client, tableName });

    await store.write({
      view: 'accounts',
      id: 'a-1',
      expectedRevision: 0,
      document: { owner: 'Ada', balance: 5, tags: ['x'] },
      positions: { 'Account#a-1': 2 },
      parked: {},
    });

    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { __key: { S: 'accounts#a-1' } } }),
    );
    expect(Item).toMatchObject({
      owner: { S: 'Ada' },
      balance: { N: '5' },
      tags: { L: [{ S: 'x' }] },
      __view: { S: 'accounts' },
      __id: { S: 'a-1' },
      __positions: { M: { 'Account#a-1': { N: '2' } } },
      __revision: { N: '1' },
    });
    client.destroy();
  });
});
