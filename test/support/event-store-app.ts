import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Provider, Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateFeature,
  type AggregateRepository,
  DynamoEventStoreModule,
  type DynamoEventStoreModuleOptions,
  getAggregateRepositoryToken,
} from '../../lib/index.js';
import type { AggregateRoot } from '@nestjs/cqrs';

/** A started Nest application with CqrsModule and the event store on the test table. */
export async function startEventStoreApp(options: {
  /** The client to use; with none, the module creates one from `moduleOptions`. */
  client?: DynamoDBClient;
  tableName: string;
  features: AggregateFeature[];
  providers?: Provider[];
  moduleOptions?: Partial<DynamoEventStoreModuleOptions>;
}): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventStoreModule.forRoot({
        client: options.client,
        tableName: options.tableName,
        ...options.moduleOptions,
      }),
      DynamoEventStoreModule.forFeature(options.features),
    ],
    providers: options.providers ?? [],
  }).compile();
  await app.init();
  return app;
}

export function repositoryOf<T extends AggregateRoot>(
  app: TestingModule,
  aggregate: Type<T>,
): AggregateRepository<T> {
  return app.get(getAggregateRepositoryToken(aggregate));
}
