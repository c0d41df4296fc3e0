import { DynamoEventStore } from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { describeMultiStreamAppendContract } from './multi-stream-append.contract.js';

async function startDynamoDBStore() {
  const client = testClient();
  const store = new DynamoEventStore({ client, tableName: await createTestTable(client) });
  return { store, stop: () => Promise.resolve(client.destroy()) };
}

describeEventStoreContract('DynamoDB', startDynamoDBStore);
describeMultiStreamAppendContract('DynamoDB', startDynamoDBStore);
