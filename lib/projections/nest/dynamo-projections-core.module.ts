import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { DynamoEventStore } from '../../dynamodb/dynamodb-event-store.js';
import { type CheckedTable, checkTables } from '../../dynamodb/table-check.js';
import type { DynamoEventStoreModuleOptions } from '../../nest/dynamo-event-store-options.js';
import { DYNAMO_EVENT_STORE_OPTIONS } from '../../nest/dynamo-event-store.module-definition.js';
import { DYNAMODB_CLIENT } from '../../nest/event-store.token.js';
import { LEASE_TABLE } from '../streams/create-lease-table.js';
import { DynamoViewStore } from '../views/dynamodb-view-store.js';
import { VIEW_TABLE } from '../views/view-table-layout.js';
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
import { runsStreamRunner, StreamRunnerHost } from './stream-runner-host.js';

const POLICY_FILE = 'deploy/projections-iam-policy.json';

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
export class DynamoProjectionsCoreModule
  extends ConfigurableDynamoProjectionsModule
  implements OnModuleInit
{
  constructor(
    @Inject(DYNAMO_PROJECTIONS_OPTIONS) private readonly options: DynamoProjectionsModuleOptions,
    @Inject(DYNAMO_EVENT_STORE_OPTIONS)
    private readonly eventStoreOptions: DynamoEventStoreModuleOptions,
    @Inject(DYNAMODB_CLIENT) private readonly client: DynamoDBClient,
    private readonly eventStore: DynamoEventStore,
  ) {
    super();
  }

  /**
   * The startup check of the views table, and of the lease table where the runner runs: in onModuleInit, as the
   * events table's, so that it fails the start before StreamRunnerHost starts the runner on bootstrap. A runner
   * without a lease table is left to StreamRunnerHost to refuse.
   */
  async onModuleInit(): Promise<void> {
    const enabled =
      this.options.checkTablesOnStartup ?? this.eventStoreOptions.checkTablesOnStartup ?? true;
    if (!enabled) return;
    const { viewsTable, leaseTable } = this.options;
    const tables: CheckedTable[] = [
      {
        tableName: viewsTable,
        definition: VIEW_TABLE,
        nameOption: '`viewsTable` of DynamoProjectionsModule.forRoot()',
        createTablesOption: '--views-table',
        createFunction: 'createViewTable()',
        policyFile: POLICY_FILE,
      },
    ];
    if (leaseTable !== undefined && runsStreamRunner(this.options))
      tables.push({
        tableName: leaseTable,
        definition: LEASE_TABLE,
        nameOption: '`leaseTable` of DynamoProjectionsModule.forRoot()',
        createTablesOption: '--lease-table',
        createFunction: 'createLeaseTable()',
        policyFile: POLICY_FILE,
      });
    await checkTables(this.client, tables, this.eventStore.tableName);
  }
}
