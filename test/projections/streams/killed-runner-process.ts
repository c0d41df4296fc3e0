/**
 * A worker process for the crash test: a stream runner whose handler records every record it receives in a
 * DynamoDB table (so that what it did survives its SIGKILL), and stops dead on the record named by BLOCK_AT, so that
 * the kill lands in the middle of a batch. Prints "started" once its runner has started, "blocked" once it is stuck.
 *
 * Run with the repository's TypeScript loader: node --import <register typescript-loader.js> killed-runner-process.ts
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { dynamoDBClientConfig } from '../../../lib/dynamodb/client.js';
import { StreamRunner } from '../../../lib/projections/streams/stream-runner.js';
import { keyOf } from './stream-alterations.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const config = dynamoDBClientConfig({ endpoint: required('DYNAMODB_ENDPOINT') });
const dynamodb = new DynamoDBClient(config);
const workerId = required('WORKER_ID');
const receivedTable = required('RECEIVED_TABLE');
const blockAt = required('BLOCK_AT');

const runner = new StreamRunner({
  dynamodb,
  streams: new DynamoDBStreamsClient(config),
  eventsTable: required('EVENTS_TABLE'),
  leaseTable: required('LEASE_TABLE'),
  workerId,
  failoverTimeMs: Number(required('FAILOVER_TIME_MS')),
  renewIntervalMs: Number(required('RENEW_INTERVAL_MS')),
  idleDelayMs: 50,
  maxRecordsPerCall: Number(required('MAX_RECORDS')),
  logger: { log: () => undefined, warn: console.error, error: console.error },
  handler: async ({ records }) => {
    for (const record of records) {
      const key = keyOf(record);
      await dynamodb.send(
        new PutItemCommand({
          TableName: receivedTable,
          Item: {
            id: { S: `${workerId}#${key}` },
            key: { S: key },
            sequence: { S: record.dynamodb!.SequenceNumber! },
          },
        }),
      );
      if (key === blockAt) {
        process.stdout.write('blocked\n');
        await new Promise(() => undefined);
      }
    }
  },
});

await runner.start();
process.stdout.write('started\n');
