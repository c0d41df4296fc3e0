import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamoDBClientConfig, EventStoreError, PARTITION_KEY, SORT_KEY } from 'nestjs-dynamo-es';
import { nodeWithout, OPTIONAL_PEERS } from '../support/without-packages.js';
import { keyedBy, tableLayoutOf } from '../support/dynamodb.js';
import {
  createLeaseTable,
  createViewTable,
  LEASE_TABLE_ATTRIBUTES,
  VIEW_TABLE_ATTRIBUTES,
} from 'nestjs-dynamo-es/projections';
import {
  type LocalDynamoDB,
  LocalDynamoDBStartError,
  LocalDynamoDBUnavailableError,
  startLocalDynamoDB,
} from 'nestjs-dynamo-es/testing';
import {
  acceptsConnections,
  closesWithin,
  freePort,
  occupyPort,
  pythonWithoutMoto,
} from '../support/local-dynamodb-probes.js';

const clientOf = (local: LocalDynamoDB) =>
  new DynamoDBClient(dynamoDBClientConfig({ endpoint: local.endpoint, region: 'us-east-1' }, {}));

async function tableNames(local: LocalDynamoDB): Promise<string[]> {
  const client = clientOf(local);
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
}

describe('startLocalDynamoDB', () => {
  it('starts an empty DynamoDB on a free port of 127.0.0.1, with the tables asked for', async () => {
    const local = await startLocalDynamoDB({
      tables: ['events', 'projections'],
      region: 'us-east-1',
    });
    const client = clientOf(local);
    try {
      expect(local.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await tableNames(local)).sort()).toEqual(['events', 'projections']);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'events' }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ]);
      expect(Table?.StreamSpecification).toEqual({
        StreamEnabled: true,
        StreamViewType: 'NEW_IMAGE',
      });
    } finally {
      client.destroy();
      await local.stop();
    }
  });

  it('creates the views and lease tables asked for, with the key schemas of createViewTable and createLeaseTable', async () => {
    const local = await startLocalDynamoDB({
      tables: ['events'],
      viewTables: ['views', 'more-views'],
      leaseTables: ['leases'],
    });
    const client = clientOf(local);
    try {
      expect((await tableNames(local)).sort()).toEqual(['events', 'leases', 'more-views', 'views']);
      expect(await tableLayoutOf(client, 'views')).toEqual(keyedBy(VIEW_TABLE_ATTRIBUTES.key));
      expect(await tableLayoutOf(client, 'more-views')).toEqual(keyedBy(VIEW_TABLE_ATTRIBUTES.key));
      expect(await tableLayoutOf(client, 'leases')).toEqual(
        keyedBy(LEASE_TABLE_ATTRIBUTES.leaseKey),
      );
      expect(await createViewTable(client, 'views')).toBe('exists');
      expect(await createLeaseTable(client, 'leases')).toBe('exists');
    } finally {
      client.destroy();
      await local.stop();
    }
  });

  it('loads, and creates every kind of table, without the optional peers lib-dynamodb and client-dynamodb-streams', async () => {
    const entry = fileURLToPath(new URL('../../lib/testing/index.ts', import.meta.url));

    const { stdout } = await nodeWithout(OPTIONAL_PEERS, [
      '--input-type=module',
      '-e',
      `const { startLocalDynamoDB } = await import(${JSON.stringify(entry)});
       const local = await startLocalDynamoDB({ tables: ['events'], viewTables: ['views'], leaseTables: ['leases'] });
       await local.stop();
       console.log('created');`,
    ]);

    expect(stdout).toBe('created\n');
  });

  it('gives each call its own DynamoDB: separate ports and data, stopped one at a time', async () => {
    const [first, second] = await Promise.all([
      startLocalDynamoDB({ tables: ['first'] }),
      startLocalDynamoDB({ tables: ['second'] }),
    ]);
    try {
      expect(first.endpoint).not.toBe(second.endpoint);
      expect(await tableNames(first)).toEqual(['first']);
      expect(await tableNames(second)).toEqual(['second']);

      await first.stop();

      expect(await acceptsConnections(first.endpoint)).toBe(false);
      expect(await tableNames(second)).toEqual(['second']);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('serves one request at a time, so that races behave as on DynamoDB', async () => {
    // moto's stock server, on this workload, answers some requests with HTTP 500s and loses acknowledged writes.
    const local = await startLocalDynamoDB({ tables: ['race'] });
    const client = new DynamoDBClient({
      ...dynamoDBClientConfig({ endpoint: local.endpoint, region: 'us-east-1' }, {}),
      maxAttempts: 1,
    });
    const putOnce = (streamId: string, writer: number) =>
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: 'race',
              Item: {
                [PARTITION_KEY]: { S: streamId },
                [SORT_KEY]: { N: '1' },
                writer: { N: String(writer) },
              },
              ConditionExpression: 'attribute_not_exists(#key)',
              ExpressionAttributeNames: { '#key': PARTITION_KEY },
            },
          },
        ],
      });
    try {
      // A table of some size makes each transaction slow enough to overlap with the others.
      for (let batch = 0; batch < 20; batch++)
        await client.send(
          new BatchWriteItemCommand({
            RequestItems: {
              race: Array.from({ length: 25 }, (_, item) => ({
                PutRequest: {
                  Item: {
                    [PARTITION_KEY]: { S: `filler-${batch}` },
                    [SORT_KEY]: { N: String(item) },
                  },
                },
              })),
            },
          }),
        );

      // Even writers each create a stream of their own; odd ones race for the same one.
      const writers = Array.from({ length: 50 }, (_, writer) => writer);
      const outcomes = await Promise.allSettled(
        writers.map((writer) =>
          client.send(putOnce(writer % 2 === 0 ? `own-${writer}` : 'contested', writer)),
        ),
      );
      const acknowledged = writers.filter((writer) => outcomes[writer]!.status === 'fulfilled');
      const { Items = [] } = await client.send(
        new ScanCommand({ TableName: 'race', ConsistentRead: true }),
      );
      const stored = Items.flatMap((item) => (item.writer ? [Number(item.writer.N)] : []));

      expect(acknowledged.filter((writer) => writer % 2 === 0)).toHaveLength(25);
      expect(acknowledged.filter((writer) => writer % 2 === 1)).toHaveLength(1);
      expect(stored.sort((a, b) => a - b)).toEqual(acknowledged);
      const refusals = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [(outcome.reason as Error).name] : [],
      );
      expect(new Set(refusals)).toEqual(new Set(['TransactionCanceledException']));
    } finally {
      client.destroy();
      await local.stop();
    }
  });

  it('stops when the process that started it dies, even by SIGKILL', async () => {
    const loader = fileURLToPath(new URL('../support/typescript-loader.js', import.meta.url));
    const launcher = fileURLToPath(new URL('../../lib/testing/local-dynamodb.ts', import.meta.url));
    const parent = spawn(
      process.execPath,
      [
        '--import',
        `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(`file://${loader}`)});`,
        '--input-type=module',
        '-e',
        `const { startLocalDynamoDB } = await import(${JSON.stringify(launcher)});
         console.log((await startLocalDynamoDB()).endpoint);
         setInterval(() => {}, 1000);`,
      ],
      { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        parent.stdout.setEncoding('utf8').once('data', (line: string) => resolve(line.trim()));
        parent.once('exit', (code) => reject(new Error(`the parent exited with ${code}`)));
      });
      expect(await acceptsConnections(endpoint)).toBe(true);

      parent.kill('SIGKILL');
      await exited;

      expect(await closesWithin(endpoint, 5_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  describe('when it cannot start, it throws a typed error and leaves nothing running', () => {
    it('no Python: LocalDynamoDBUnavailableError, python-missing', async () => {
      const start = startLocalDynamoDB({ python: '/nonexistent/python3' });

      await expect(start).rejects.toThrow(LocalDynamoDBUnavailableError);
      await expect(start).rejects.toMatchObject({
        reason: 'python-missing',
        python: '/nonexistent/python3',
        detail: 'ENOENT',
      });
      await expect(start).rejects.toBeInstanceOf(EventStoreError);
    });

    it('no moto: LocalDynamoDBUnavailableError, moto-missing, with the way to install it', async () => {
      const { python, remove } = await pythonWithoutMoto();
      try {
        const start = startLocalDynamoDB({ python });

        await expect(start).rejects.toMatchObject({
          name: 'LocalDynamoDBUnavailableError',
          reason: 'moto-missing',
          detail: "No module named 'moto'",
        });
        await expect(start).rejects.toThrow(`pip install "moto[server]"`);
      } finally {
        await remove();
      }
    });

    it('a port in use: LocalDynamoDBStartError, port-in-use, naming the port', async () => {
      const { port, server } = await occupyPort();
      try {
        const start = startLocalDynamoDB({ port });

        await expect(start).rejects.toThrow(LocalDynamoDBStartError);
        await expect(start).rejects.toMatchObject({ reason: 'port-in-use', port });
        await expect(start).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
      } finally {
        server.close();
      }
    });

    it('a table it cannot create: that error, and moto is stopped', async () => {
      const port = await freePort();
      // moto checking credentials refuses the dummy ones local endpoints get.
      const start = startLocalDynamoDB({
        port,
        tables: ['events'],
        env: { INITIAL_NO_AUTH_ACTION_COUNT: '0' },
      });

      await expect(start).rejects.toThrow(/security token|credentials|not valid/i);
      expect(await acceptsConnections(`http://127.0.0.1:${port}`)).toBe(false);
    });
  });
});
