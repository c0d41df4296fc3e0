import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, DynamoEventStore, streamIdOf } from '../../lib/index.js';
import { type LocalDynamoDB, startLocalDynamoDB } from '../../lib/testing/local-dynamodb.js';
import { testClientConfig } from '../support/dynamodb.js';
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

async function deployTable(): Promise<{ tableName: string; stackName: string; stack: StackState }> {
  const tableName = `events-cfn-${randomUUID()}`;
  const stackName = `event-store-${randomUUID()}`;
  const stack = await createStack(target, {
    stackName,
    templatePath: TEMPLATE,
    parameters: { TableName: tableName },
  });
  return { tableName, stackName, stack };
}

describe('deploy/event-store-table.cfn.yaml', () => {
  it("is valid by AWS's own resource schemas (cfn-lint)", async () => {
    expect(await lintTemplate(TEMPLATE)).toEqual([]);
  });

  it('deploys a table the event store accepts as its own: same key schema, on-demand, streams of new images', async () => {
    const { tableName, stack } = await deployTable();

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

  it("outputs the table's name, ARN and stream ARN", async () => {
    const { tableName, stack } = await deployTable();

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(stack.outputs).toEqual({
      TableName: tableName,
      TableArn: Table?.TableArn,
      StreamArn: Table?.LatestStreamArn,
    });
  });

  it('names the table "events" unless told otherwise', () => {
    expect(template.Parameters.TableName?.Default).toBe('events');
  });

  it('keeps the table, events included, when the stack is deleted', async () => {
    const { tableName, stackName } = await deployTable();
    const store = new DynamoEventStore({ client, tableName });
    const stream = streamIdOf('Account', randomUUID());
    await store.appendToStream(stream, 0, [{ type: 'AccountOpened', payload: { owner: 'Ada' } }]);

    await deleteStack(target, stackName);

    expect(await store.readStreamVersion(stream)).toBe(1);
  });

  // moto applies neither PointInTimeRecoverySpecification nor SSESpecification from a template: check them as
  // written (cfn-lint above checks that AWS knows them).
  it('retains the table on delete and replace, with point-in-time recovery and KMS encryption', () => {
    const tables = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::DynamoDB::Table',
    );
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      },
    });
  });

  it("gives the IAM policies the stack's table once REGION, ACCOUNT_ID and TABLE_NAME are filled in", async () => {
    const { tableName, stack } = await deployTable();
    const [, , , region, accountId] = stack.outputs.TableArn!.split(':');

    for (const policyFile of ['event-store-iam-policy.json', 'event-store-admin-iam-policy.json']) {
      const policy = JSON.parse(await readFile(deployFile(policyFile), 'utf8')) as {
        Statement: { Resource: string }[];
      };
      const resources = policy.Statement.map((statement) =>
        statement.Resource.replace('REGION', region!)
          .replace('ACCOUNT_ID', accountId!)
          .replace('TABLE_NAME', tableName),
      );

      expect(resources).toEqual([stack.outputs.TableArn]);
    }
    expect(region).toBe(target.region);
  });
});
