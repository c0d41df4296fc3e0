import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Global, Module } from '@nestjs/common';
import { DYNAMODB_CLIENT } from '../../nest/event-store.token.js';
import { DynamoViewStore } from '../views/dynamodb-view-store.js';
import type { DynamoProjectionsModuleOptions } from './dynamo-projections-options.js';
import {
  ConfigurableDynamoProjectionsModule,
  DYNAMO_PROJECTIONS_OPTIONS,
} from './dynamo-projections.module-definition.js';
import { PROJECTION_SETTINGS, VIEW_STORE } from './projection-tokens.js';
import {
  PROJECTIONS_CORE_EXPORTS,
  PROJECTIONS_CORE_PROVIDERS,
} from './projections-core.providers.js';
import { StreamRunnerHost } from './stream-runner-host.js';

/** The views on DynamoDB and the stream runner; global so that forFeature() modules reach them. */
@Global()
@Module({
  providers: [
    {
      provide: DynamoViewStore,
      useFactory: (options: DynamoProjectionsModuleOptions, client: DynamoDBClient) =>
        new DynamoViewStore({ client, tableName: options.viewsTable }),
      inject: [DYNAMO_PROJECTIONS_OPTIONS, DYNAMODB_CLIENT],
    },
    { provide: VIEW_STORE, useExisting: DynamoViewStore },
    {
      provide: PROJECTION_SETTINGS,
      useFactory: (options: DynamoProjectionsModuleOptions) => options,
      inject: [DYNAMO_PROJECTIONS_OPTIONS],
    },
    ...PROJECTIONS_CORE_PROVIDERS,
    StreamRunnerHost,
  ],
  exports: [DynamoViewStore, StreamRunnerHost, ...PROJECTIONS_CORE_EXPORTS],
})
export class DynamoProjectionsCoreModule extends ConfigurableDynamoProjectionsModule {}
