import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, DynamoEventStore, streamIdOf } from '../../lib/index.js';
import { TIME_TO_LIVE_ATTRIBUTE } from '../../lib/dynamodb/table-layout.js';
import { createLeaseTable, createViewTable } from '../../lib/projections/index.js';
import { type LocalDynamoDB, startLocalDynamoDB } from '../../lib/testing/local-dynamodb.js';
import { testClientConfig } from '../support/dynamodb.js';
import { grantsOf, matchesArn, readPolicy } from './iam-policy-document.js';
import {
  type CloudFormationTarget,
  createStack,
  deleteStack,
  lintTemplate,
  readTemplate,
  servesCloudFormation,
  type StackState,
} from './local-cloudformation.js';

const deployFile = (name: string) =>
  fileURLToPath(new URL(`../../deploy/${name}`, import.meta.url));
const TEMPLATE = deployFile('event-store-table.cfn.yaml');

let target: CloudFormationTarget;
let ownServer: LocalDynamoDB | undefined;
let client: DynamoDBClient;
let template: Template;

interface Template {
  readonly Parameters: Record<string, { readonly Default?: string }>;
  readonly Resources: Record<string, { readonly Type: string } & Record<string, unknown>>;
}

interface DeployedTables {
  readonly tableName: string;
  readonly viewsTableName: string;
  readonly leaseTableName: string;
  readonly stackName: string;
  readonly stack: StackState;
}

beforeAll(async () => {
  const config = testClientConfig();
  target = { endpoint: config.endpoint as string, region: config.region as string };
  if (!(await servesCloudFormation(target))) {
    // DYNAMODB_ENDPOINT names a DynamoDB-only emulator (DynamoDB Local): deploy on a moto server of our own.
    ownServer = await startLocalDynamoDB();
    target = { ...target, endpoint: ownServer.endpoint };
  }
  client = new DynamoDBClient({ ...config, endpoint: target.endpoint });
  template = (await readTemplate(TEMPLATE)) as unknown as Template;
});
afterAll(async () => {
  client?.destroy();
  await ownServer?.stop();
});

async function deployTables(): Promise<DeployedTables> {
  const suffix = randomUUID();
  const [tableName, viewsTableName, leaseTableName] = [
    `events-cfn-${suffix}`,
    `views-cfn-${suffix}`,
    `leases-cfn-${suffix}`,
  ];
  const stackName = `event-store-${suffix}`;
  const stack = await createStack(target, {
    stackName,
    templatePath: TEMPLATE,
    parameters: {
      TableName: tableName,
      ViewsTableName: viewsTableName,
      LeaseTableName: leaseTableName,
    },
  });
  return { tableName, viewsTableName, leaseTableName, stackName, stack };
}

async function tableExists(tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

const tablesOf = (template: Template) =>
  Object.fromEntries(
    Object.entries(template.Resources).filter(
      ([, resource]) => resource.Type === 'AWS::DynamoDB::Table',
    ),
  );

describe('deploy/event-store-table.cfn.yaml', () => {
  /** One stack for the tests that only look at it; the deletion test deploys its own. */
  let deployed: DeployedTables;

  beforeAll(async () => {
    deployed = await deployTables();
  });

  it("is valid by AWS's own resource schemas (cfn-lint)", async () => {
    expect(await lintTemplate(TEMPLATE)).toEqual([]);
  });

  it('deploys an events table the event store accepts as its own: same key schema, on-demand, streams of new images', async () => {
    const { tableName, stack } = deployed;

    expect(stack.stackStatus).toBe('CREATE_COMPLETE');
    expect(await createEventStoreTable(client, tableName)).toBe('exists');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'streamId', KeyType: 'HASH' },
      { AttributeName: 'version', KeyType: 'RANGE' },
    ]);
    expect(Table?.AttributeDefinitions).toEqual([
      { AttributeName: 'streamId', AttributeType: 'S' },
      { AttributeName: 'version', AttributeType: 'N' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_IMAGE',
    });
    expect(Table?.DeletionProtectionEnabled).toBe(true);
  });

  it.each([
    ['views table', 'viewsTableName', createViewTable, '__key'],
    ['lease table', 'leaseTableName', createLeaseTable, 'leaseKey'],
  ] as const)(
    'deploys a %s its creator accepts as its own: partition key only, on-demand, no stream',
    async (_, name, create, partitionKey) => {
      const tableName = deployed[name];

      expect(await create(client, tableName)).toBe('exists');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: partitionKey, KeyType: 'HASH' }]);
      expect(Table?.AttributeDefinitions).toEqual([
        { AttributeName: partitionKey, AttributeType: 'S' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
      expect(Table?.DeletionProtectionEnabled ?? false).toBe(false);
    },
  );

  it("outputs each table's name and ARN, and the events table's stream ARN", async () => {
    const { tableName, viewsTableName, leaseTableName, stack } = deployed;
    const describe = async (name: string) =>
      (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    const [events, views, leases] = await Promise.all(
      [tableName, viewsTableName, leaseTableName].map(describe),
    );

    expect(stack.outputs).toEqual({
      TableName: tableName,
      TableArn: events?.TableArn,
      StreamArn: events?.LatestStreamArn,
      ViewsTableName: viewsTableName,
      ViewsTableArn: views?.TableArn,
      LeaseTableName: leaseTableName,
      LeaseTableArn: leases?.TableArn,
    });
  });

  it('names the tables "events", "views" and "leases" unless told otherwise', () => {
    expect(template.Parameters.TableName?.Default).toBe('events');
    expect(template.Parameters.ViewsTableName?.Default).toBe('views');
    expect(template.Parameters.LeaseTableName?.Default).toBe('leases');
  });

  it('keeps the events table, events included, when the stack is deleted; the views and lease tables go', async () => {
    const { tableName, viewsTableName, leaseTableName, stackName } = await deployTables();
    const store = new DynamoEventStore({ client, tableName });
    const stream = streamIdOf('Account', randomUUID());
    await store.appendToStream(stream, 0, [{ type: 'AccountOpened', payload: { owner: 'Ada' } }]);

    await deleteStack(target, stackName);

    expect(await store.readStreamVersion(stream)).toBe(1);
    expect(await tableExists(viewsTableName)).toBe(false);
    expect(await tableExists(leaseTableName)).toBe(false);
  });

  // moto applies neither PointInTimeRecoverySpecification, SSESpecification nor TimeToLiveSpecification from a
  // template: check them as written (cfn-lint above checks that AWS knows them).
  it('turns Time to Live on for the events table, on the attribute idempotency keys expire by', () => {
    expect(tablesOf(template).EventsTable?.Properties).toMatchObject({
      TimeToLiveSpecification: { AttributeName: TIME_TO_LIVE_ATTRIBUTE, Enabled: true },
    });
  });

  it('retains the events table on delete and replace, with point-in-time recovery and KMS encryption', () => {
    const tables = tablesOf(template);
    expect(Object.keys(tables).sort()).toEqual(['EventsTable', 'LeaseTable', 'ViewsTable']);
    expect(tables.EventsTable).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      },
    });
  });

  it('lets the stack delete the views table, which has point-in-time recovery, and the lease table', () => {
    const { ViewsTable, LeaseTable } = tablesOf(template);

    for (const table of [ViewsTable, LeaseTable]) {
      expect(table).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      expect(table?.Properties).not.toHaveProperty('DeletionProtectionEnabled');
    }
    expect(ViewsTable).toMatchObject({
      Properties: {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      },
    });
    expect(LeaseTable?.Properties).not.toHaveProperty('PointInTimeRecoverySpecification');
  });

  it("gives the IAM policies the stack's tables and stream once their placeholders are filled in", async () => {
    const { tableName, viewsTableName, leaseTableName, stack } = deployed;
    const [, , , region, accountId] = stack.outputs.TableArn!.split(':');
    const placeholders = {
      REGION: region!,
      ACCOUNT_ID: accountId!,
      TABLE_NAME: tableName,
      VIEWS_TABLE_NAME: viewsTableName,
      LEASE_TABLE_NAME: leaseTableName,
    };
    const { TableArn, StreamArn, ViewsTableArn, LeaseTableArn } = stack.outputs;
    const resourcesOf = async (policyFile: string) =>
      grantsOf(await readPolicy(policyFile), placeholders).map(({ resource }) => resource);

    expect(region).toBe(target.region);
    expect(await resourcesOf('event-store-iam-policy.json')).toEqual([TableArn, TableArn]);
    expect(await resourcesOf('event-store-admin-iam-policy.json')).toEqual([
      TableArn,
      ViewsTableArn,
      LeaseTableArn,
      TableArn,
    ]);
    const projections = await resourcesOf('projections-iam-policy.json');
    expect(projections).toEqual([TableArn, `${TableArn}/stream/*`, ViewsTableArn, LeaseTableArn]);
    expect(matchesArn(projections[1]!, StreamArn!)).toBe(true);
  });
});
