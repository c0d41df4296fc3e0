import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { testClient } from '../support/dynamodb.js';
import { type SampleApp, startSampleAppOnTestEndpoint } from './sample-app.js';

let sample: SampleApp;

beforeAll(async () => {
  sample = await startSampleAppOnTestEndpoint();
});
afterAll(() => sample.app.close());

describe('GET /health of the sample', () => {
  it('answers 200 with the events table and the projections up', async () => {
    await sample.openAccount('Ada', 500);

    const { body, headers } = await sample.http().get('/health').expect(200);

    expect(headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
    expect(body).toMatchObject({
      status: 'ok',
      info: {
        eventStore: { status: 'up', table: sample.tableName },
        projections: { status: 'up', projections: expect.any(Object) as unknown },
      },
      error: {},
    });
  });

  it('answers 503, naming the events table, once it is gone', async () => {
    const client = testClient();
    try {
      await client.send(new DeleteTableCommand({ TableName: sample.tableName }));
    } finally {
      client.destroy();
    }

    const { body } = await sample.http().get('/health').expect(503);

    expect(body).toMatchObject({
      status: 'error',
      error: {
        eventStore: { status: 'down', table: sample.tableName, problem: 'table-missing' },
      },
    });
  });
});
