import { DynamoEventStore } from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { describeEventStoreContract, type StoreSettings } from './event-store.contract.js';
import { describeMultiStreamAppendContract } from './multi-stream-append.contract.js';

function startDynamoDBStore(transactionsOnly: boolean) {
  return async (settings?: StoreSettings) => {
    const client = testClient();
    const tableName = await createTestTable(client);
    const store = new DynamoEventStore({ client, tableName, transactionsOnly, ...settings });
    return { store, stop: () => Promise.resolve(client.destroy()) };
  };
}

describeEventStoreContract('DynamoDB', startDynamoDBStore(false));
describeMultiStreamAppendContract('DynamoDB', startDynamoDBStore(false));
// Every append a TransactWriteItems, a lone event included: the same semantics.
describeEventStoreContract('DynamoDB, transactions only', startDynamoDBStore(true));
describeMultiStreamAppendContract('DynamoDB, transactions only', startDynamoDBStore(true));
