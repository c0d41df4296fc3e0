import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient, dynamoDBClientConfig } from '../../lib/index.js';

/** An endpoint that answers DescribeTable after a while, and counts the requests it holds at once. */
async function slowEndpoint() {
  let open = 0;
  let mostOpen = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    request.resume();
    request.on('end', () =>
      setTimeout(() => {
        open--;
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end(JSON.stringify({ Table: { TableName: 'events', TableStatus: 'ACTIVE' } }));
      }, 50),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mostOpen: () => mostOpen,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('createDynamoDBClient', () => {
  it.each([
    [2, 2],
    [undefined, 6],
  ])(
    'holds at most maxSockets (%s) requests open at once: %s of 6',
    async (maxSockets, expected) => {
      const server = await slowEndpoint();
      const client = createDynamoDBClient({
        maxSockets,
        clientConfig: dynamoDBClientConfig({ endpoint: server.endpoint }),
      });
      try {
        await Promise.all(
          Array.from({ length: 6 }, () =>
            client.send(new DescribeTableCommand({ TableName: 'events' })),
          ),
        );

        expect(server.mostOpen()).toBe(expected);
      } finally {
        client.destroy();
        await server.close();
      }
    },
  );
});
