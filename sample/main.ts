import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { createDynamoDBClient, dynamoDBClientConfig } from 'nestjs-dynamo-es';
import { createLeaseTable, createViewTable } from 'nestjs-dynamo-es/projections';
import { type LocalDynamoDB, startLocalDynamoDB } from 'nestjs-dynamo-es/testing';
import { AppModule } from './app.module.js';
import { eventStoreOptions, TABLE_DEFAULTS } from './event-store.config.js';

// The SDK's notice that its releases from 2027 need Node 22 would open every start on Node 20, which this sample
// supports. Set the variable to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Starts the bank-account service. Without DYNAMODB_ENDPOINT it starts an embedded local DynamoDB first (moto, on a
 * free port, with the events, views and lease tables; its data lives as long as the process) and stops it on exit;
 * with it, it uses that endpoint (DynamoDB Local, or AWS), whose tables `make configure` creates.
 */
async function main(): Promise<void> {
  const embedded = process.env.DYNAMODB_ENDPOINT ? undefined : await startEmbeddedDynamoDB();
  if (embedded) process.env.DYNAMODB_ENDPOINT = embedded.endpoint;

  // The body's text too, for ExactJsonNumbersMiddleware.
  const app = await NestFactory.create(AppModule, { rawBody: true });
  const options = eventStoreOptions(app.get(ConfigService));
  await assertTableExists(options.tableName, options.clientConfig ?? {});

  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(Number(process.env.PORT ?? 3000), host);
  // The port bound, which PORT=0 leaves to the system.
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  console.log(`Bank-account sample listening on http://${host}:${port}/accounts`);
  console.log(
    `DynamoDB endpoint: ${endpoint ?? 'AWS (default region and credentials)'}` +
      `${embedded ? ' (embedded moto, stopped on exit)' : ''}, table: ${options.tableName}`,
  );

  // Closing the app stops the projections runner first, releasing its leases for the next instance.
  const shutdown = async () => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

async function startEmbeddedDynamoDB(): Promise<LocalDynamoDB> {
  const { EVENTS_TABLE, VIEWS_TABLE, LEASE_TABLE } = { ...TABLE_DEFAULTS, ...process.env };
  const local = await startLocalDynamoDB({ tables: [EVENTS_TABLE] });
  const client = createDynamoDBClient({
    clientConfig: dynamoDBClientConfig({ endpoint: local.endpoint }),
  });
  try {
    await createViewTable(client, VIEWS_TABLE);
    await createLeaseTable(client, LEASE_TABLE);
  } catch (error) {
    await local.stop();
    throw error;
  } finally {
    client.destroy();
  }
  return local;
}

async function assertTableExists(
  tableName: string,
  clientConfig: DynamoDBClientConfig,
): Promise<void> {
  const client = new DynamoDBClient(clientConfig);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    throw new Error(
      `Table "${tableName}" does not exist at ${process.env.DYNAMODB_ENDPOINT ?? 'AWS'}: create it with ` +
        '`make configure` (or `npx nestjs-dynamo-es create-tables`).',
    );
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
