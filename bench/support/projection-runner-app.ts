import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventStoreModule } from 'nestjs-dynamo-es';
import { DynamoProjectionsModule, StreamRunnerHost } from 'nestjs-dynamo-es/projections';
import { createDynamoDBStreamsClient } from 'nestjs-dynamo-es/stream-runner';
import { Account } from '../../sample/accounts/account.aggregate.js';
import { ACCOUNT_EVENTS } from '../../sample/accounts/account.events.js';
import { AccountDirectoryProjection } from '../../sample/accounts/read-model/account-directory.projection.js';
import type { BenchEndpoint } from './local-endpoint.js';
import { type ProjectionTables, ProjectionRequestTally } from './projection-request-tally.js';

export interface ProjectionRunnerApp {
  /** What this instance's clients sent. */
  readonly tally: ProjectionRequestTally;
  /** Whether this instance holds a lease now. */
  ownsALease(): boolean;
  /** Stops the runner (its leases released) and the application, then destroys its clients. */
  close(): Promise<void>;
}

/**
 * One instance of the sample's read side: a Nest application context with the event store, the sample's
 * `account-directory` projection and DynamoProjectionsModule running the stream runner, on clients of its own that
 * a ProjectionRequestTally counts. Resolves once the runner has started (its first lease pass done).
 */
export async function startProjectionRunner(
  endpoint: BenchEndpoint,
  tables: ProjectionTables,
  { idleDelayMs }: { idleDelayMs?: number },
): Promise<ProjectionRunnerApp> {
  const client = endpoint.newClient();
  const streamsClient = createDynamoDBStreamsClient({ clientConfig: endpoint.clientConfig });
  const tally = new ProjectionRequestTally(tables);
  tally.attachToDynamoDB(client);
  tally.attachToStreams(streamsClient);

  @Module({
    imports: [
      DynamoEventStoreModule.forFeature([{ aggregate: Account, events: ACCOUNT_EVENTS }]),
      DynamoProjectionsModule.forFeature([AccountDirectoryProjection]),
    ],
  })
  class ReadSideModule {}

  @Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventStoreModule.forRoot({ client, tableName: tables.eventsTable }),
      DynamoProjectionsModule.forRoot({
        viewsTable: tables.viewsTable,
        leaseTable: tables.leaseTable,
        streamsClient,
        // Left to the library's default (1 000 ms) unless the case sets it; failover and renewal times too.
        ...(idleDelayMs === undefined ? {} : { idleDelayMs }),
      }),
      ReadSideModule,
    ],
  })
  class RunnerModule {}

  const destroyClients = () => {
    streamsClient.destroy();
    client.destroy();
  };
  let app;
  try {
    app = await NestFactory.createApplicationContext(RunnerModule, { logger: ['error', 'warn'] });
  } catch (error) {
    destroyClients();
    throw error;
  }
  const host = app.get(StreamRunnerHost);
  return {
    tally,
    ownsALease: () => host.status()?.leases.some((lease) => lease.owned) ?? false,
    async close() {
      try {
        await app.close();
      } finally {
        destroyClients();
      }
    },
  };
}
