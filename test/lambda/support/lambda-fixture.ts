import { randomUUID } from 'node:crypto';
import {
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { Module, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoEventStore, DynamoEventStoreModule } from '../../../lib/index.js';
import {
  createViewTable,
  type DynamoProjectionsModuleOptions,
  DynamoProjectionsModule,
  DynamoViewStore,
  ViewRepository,
} from '../../../lib/projections/index.js';
import type { AggregateFeature } from '../../../lib/nest/aggregate-feature.js';
import { createTestTable, testClientConfig } from '../../support/dynamodb.js';
import { lambdaEventOf, readStreamRecords } from './lambda-stream-event.js';

/** An events table with its stream, a views table, and what writes the one and reads both. */
export interface LambdaFixture {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  readonly viewsTable: string;
  readonly streamArn: string;
  readonly region: string;
  readonly store: DynamoEventStore;
  /** Every record of the events table's stream so far, read with the real GetRecords. */
  streamRecords(): Promise<StreamRecord[]>;
  /** Lambda's event for these records, in this order. */
  lambdaEvent(records: readonly StreamRecord[]): DynamoDBStreamEvent;
  /** A view of the views table, read as the application reads it. */
  view<D extends Record<string, unknown>>(name: string): ViewRepository<D>;
  /**
   * A Lambda module as a user writes one: CqrsModule, the event store on `client` (the fixture's by default), the
   * projections without a runner, and the features given.
   */
  lambdaModule(options: {
    readonly features: readonly AggregateFeature[];
    readonly projections: readonly Type<object>[];
    readonly client?: DynamoDBClient;
    readonly projectionsOptions?: Partial<DynamoProjectionsModuleOptions>;
  }): Type<unknown>;
  close(): void;
}

/** On the tests' endpoint, or on the one `clientConfig` names. */
export async function lambdaFixture(
  clientConfig: DynamoDBClientConfig = testClientConfig(),
): Promise<LambdaFixture> {
  const client = new DynamoDBClient(clientConfig);
  const eventsTable = await createTestTable(client);
  const viewsTable = `views-lambda-${randomUUID()}`;
  await createViewTable(client, viewsTable);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: eventsTable }));
  const streamArn = Table!.LatestStreamArn!;
  const region = streamArn.split(':')[3]!;
  const streams = new DynamoDBStreamsClient(clientConfig);
  const store = new DynamoEventStore({ client, tableName: eventsTable });
  const viewStore = new DynamoViewStore({ client, tableName: viewsTable });

  return {
    client,
    eventsTable,
    viewsTable,
    streamArn,
    region,
    store,
    streamRecords: () => readStreamRecords(streams, streamArn),
    lambdaEvent: (records) => lambdaEventOf(records, { streamArn, region }),
    view: (name) => new ViewRepository(viewStore, name),
    lambdaModule({ features, projections, client: moduleClient, projectionsOptions }) {
      @Module({
        imports: [
          DynamoEventStoreModule.forFeature(features),
          DynamoProjectionsModule.forFeature(projections),
        ],
      })
      class ProjectionsFeatureModule {}

      @Module({
        imports: [
          CqrsModule.forRoot(),
          DynamoEventStoreModule.forRoot({
            tableName: eventsTable,
            client: moduleClient ?? client,
          }),
          DynamoProjectionsModule.forRoot({
            viewsTable,
            runner: false,
            handlerFailures: 'throw',
            handlerAttempts: 1,
            ...projectionsOptions,
          }),
          ProjectionsFeatureModule,
        ],
      })
      class ProjectionsLambdaModule {}
      return ProjectionsLambdaModule;
    },
    close() {
      streams.destroy();
      client.destroy();
    },
  };
}
