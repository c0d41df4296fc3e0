import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ModuleMetadata, Provider, Type } from '@nestjs/common';
import { type AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateFeature,
  type AggregateRepository,
  DynamoEventStoreModule,
  type DynamoEventStoreModuleOptions,
  getAggregateRepositoryToken,
} from '../../lib/index.js';
import {
  InMemoryEventStoreModule,
  type InMemoryEventStoreModuleOptions,
} from '../../lib/testing/index.js';

interface AppOptions {
  features: AggregateFeature[];
  providers?: Provider[];
  imports?: ModuleMetadata['imports'];
}

/** A started Nest application with CqrsModule and the event store on the test table. */
export async function startEventStoreApp(
  options: AppOptions & {
    /** The client to use; with none, the module creates one from `moduleOptions`. */
    client?: DynamoDBClient;
    tableName: string;
    moduleOptions?: Partial<DynamoEventStoreModuleOptions>;
  },
): Promise<TestingModule> {
  return start(
    DynamoEventStoreModule.forRoot({
      client: options.client,
      tableName: options.tableName,
      ...options.moduleOptions,
    }),
    options,
  );
}

/** A started Nest application with CqrsModule and the in-memory event store. */
export function startInMemoryApp(
  options: AppOptions & { moduleOptions?: InMemoryEventStoreModuleOptions },
): Promise<TestingModule> {
  return start(InMemoryEventStoreModule.forRoot(options.moduleOptions), options);
}

async function start(
  eventStoreModule: ReturnType<typeof InMemoryEventStoreModule.forRoot>,
  { features, providers = [], imports = [] }: AppOptions,
): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      eventStoreModule,
      DynamoEventStoreModule.forFeature(features),
      ...imports,
    ],
    providers,
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
