import { randomUUID } from 'node:crypto';
import { DynamoEventStore } from '../../lib/index.js';
import { createViewTable, DynamoViewStore } from '../../lib/projections/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { describeProjectionProcessor } from './projection-processor.contract.js';

describeProjectionProcessor('DynamoDB', async () => {
  const client = testClient();
  const viewsTable = `views-test-${randomUUID()}`;
  await createViewTable(client, viewsTable);
  return {
    events: new DynamoEventStore({ client, tableName: await createTestTable(client) }),
    views: new DynamoViewStore({ client, tableName: viewsTable }),
    stop: () => Promise.resolve(client.destroy()),
  };
});
