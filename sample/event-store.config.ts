import type { ConfigService } from '@nestjs/config';
import { dynamoDBClientConfig, type DynamoEventStoreModuleOptions } from 'nestjs-dynamo-es';
import type { DynamoProjectionsModuleOptions } from 'nestjs-dynamo-es/projections';

/** The tables the sample uses unless EVENTS_TABLE, VIEWS_TABLE or LEASE_TABLE say otherwise. */
export const TABLE_DEFAULTS = {
  EVENTS_TABLE: 'events',
  VIEWS_TABLE: 'account-views',
  LEASE_TABLE: 'account-leases',
} as const;

/** The event store's settings from the environment: EVENTS_TABLE, DYNAMODB_ENDPOINT, AWS_REGION. */
export function eventStoreOptions(config: ConfigService): DynamoEventStoreModuleOptions {
  return {
    tableName: config.get<string>('EVENTS_TABLE', TABLE_DEFAULTS.EVENTS_TABLE),
    clientConfig: dynamoDBClientConfig({
      endpoint: config.get<string>('DYNAMODB_ENDPOINT'),
      region: config.get<string>('AWS_REGION'),
    }),
  };
}

/**
 * The projections' settings from the environment: VIEWS_TABLE, LEASE_TABLE, PROJECTIONS_RUNNER=false for an
 * instance that serves requests without reading the stream, and the runner's PROJECTIONS_IDLE_DELAY_MS,
 * PROJECTIONS_FAILOVER_MS and PROJECTIONS_WORKER_ID.
 */
export function projectionsOptions(config: ConfigService): DynamoProjectionsModuleOptions {
  return {
    viewsTable: config.get<string>('VIEWS_TABLE', TABLE_DEFAULTS.VIEWS_TABLE),
    leaseTable: config.get<string>('LEASE_TABLE', TABLE_DEFAULTS.LEASE_TABLE),
    runner: config.get<string>('PROJECTIONS_RUNNER') !== 'false',
    idleDelayMs: Number(config.get<string>('PROJECTIONS_IDLE_DELAY_MS', '250')),
    failoverTimeMs: Number(config.get<string>('PROJECTIONS_FAILOVER_MS', '10000')),
    workerId: config.get<string>('PROJECTIONS_WORKER_ID'),
  };
}
