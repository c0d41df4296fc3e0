import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type NewEvent, streamIdOf } from '../../lib/index.js';
import { createProjectionsHandler } from '../../lib/lambda/index.js';
import { Projection, ProjectionHandler, type ViewUpdate } from '../../lib/projections/index.js';
import { type LocalDynamoDB, startLocalDynamoDB } from '../../lib/testing/local-dynamodb.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';
import {
  type DeployedFunction,
  describeFunction,
  putFunctionCode,
} from '../lambda/support/local-lambda.js';
import { type LambdaFixture, lambdaFixture } from '../lambda/support/lambda-fixture.js';
import { testClientConfig } from '../support/dynamodb.js';
import { logIamActions } from './iam-action-log.js';
import {
  actionsAllowedOn,
  asList,
  distinct,
  grantsOf,
  matchesArn,
  type PolicyDocument,
} from './iam-policy-document.js';
import {
  type CloudFormationTarget,
  createStack,
  lintTemplate,
  readTemplate,
  servesCloudFormation,
  type StackState,
} from './local-cloudformation.js';

const TEMPLATE = fileURLToPath(
  new URL('../../deploy/projections-lambda.cfn.yaml', import.meta.url),
);

/** What Lambda's event source mapping needs to read a DynamoDB stream, in AWS's documentation and managed policy. */
const STREAM_READS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

interface Balance extends Record<string, unknown> {
  owner: string;
  balance: number;
}

/** Uses every write the handler can make: a document set, a total incremented, a document deleted, a stream parked. */
@Projection('iam-lambda-balances')
class IamLambdaBalances {
  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<Balance>): void {
    view.set({ owner: event.owner, balance: 0 });
    view.increment('bank', { accounts: 1 });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, view: ViewUpdate<Balance>): void {
    if (event.amount === 13) throw new Error('13 is not handled');
    view.set({ ...view.document!, balance: view.document!.balance + event.amount });
  }

  @ProjectionHandler(MoneyWithdrawn)
  closed(_: MoneyWithdrawn, view: ViewUpdate<Balance>): void {
    view.delete();
  }
}

interface Template {
  readonly Parameters: Record<string, { readonly Default?: string | number }>;
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties: Record<string, unknown> }
  >;
}

let target: CloudFormationTarget;
let ownServer: LocalDynamoDB | undefined;
/** The tables the stack is deployed for. */
let fx: LambdaFixture;
/**
 * Tables of the same kinds that no event source mapping reads: once a mapping exists, moto hands the stream's
 * records to its (never running) function and drops them from the stream.
 */
let measureFx: LambdaFixture;
let template: Template;
let stack: StackState;
let deployed: DeployedFunction;
const viewsTableArn = () => fx.streamArn.replace(/table\/.*$/, `table/${fx.viewsTable}`);
const eventsTableArn = () => fx.streamArn.replace(/\/stream\/.*$/, '');

beforeAll(async () => {
  const config = testClientConfig();
  target = { endpoint: config.endpoint as string, region: config.region as string };
  if (!(await servesCloudFormation(target))) {
    // DYNAMODB_ENDPOINT names a DynamoDB-only emulator: the tables and the stack go to a moto server of our own.
    ownServer = await startLocalDynamoDB();
    target = { ...target, endpoint: ownServer.endpoint };
  }
  fx = await lambdaFixture({ ...config, endpoint: target.endpoint });
  measureFx = await lambdaFixture({ ...config, endpoint: target.endpoint });
  template = (await readTemplate(TEMPLATE)) as unknown as Template;
  const code = { bucket: `code-${randomUUID()}`, key: 'projections.zip' };
  await putFunctionCode(target, code);
  stack = await createStack(target, {
    stackName: `projections-lambda-${randomUUID()}`,
    templatePath: TEMPLATE,
    parameters: {
      CodeBucket: code.bucket,
      CodeKey: code.key,
      Handler: 'dist/projections.handler',
      EventsStreamArn: fx.streamArn,
      ViewsTableName: fx.viewsTable,
    },
  });
  deployed = await describeFunction(target, {
    functionName: stack.outputs.FunctionName!,
    mappingId: stack.outputs.EventSourceMappingId!,
  });
});
afterAll(async () => {
  fx?.close();
  measureFx?.close();
  await ownServer?.stop();
});

describe('deploy/projections-lambda.cfn.yaml', () => {
  it("is valid by AWS's own resource schemas and runtime lifecycle (cfn-lint)", async () => {
    expect(await lintTemplate(TEMPLATE)).toEqual([]);
  });

  it('deploys the function on a current Node.js runtime, with the handler and the tables it is given', () => {
    expect(stack.stackStatus).toBe('CREATE_COMPLETE');
    expect(deployed.function).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'dist/projections.handler',
      MemorySize: 1024,
      Timeout: 60,
      Environment: {
        // The events table's name is read from the stream's ARN: the two cannot disagree.
        Variables: { EVENTS_TABLE: fx.eventsTable, VIEWS_TABLE: fx.viewsTable, NO_COLOR: '1' },
      },
    });
    expect(deployed.trust.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(deployed.attachedPolicies).toEqual([]);
  });

  it('maps the stream to it from its oldest record, with partial batch responses, bisection, bounded retries and a queue for what Lambda gives up', () => {
    expect(deployed.mapping).toMatchObject({
      EventSourceArn: fx.streamArn,
      FunctionArn: stack.outputs.FunctionArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 20,
      MaximumRecordAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: stack.outputs.FailedBatchesQueueArn } },
    });
  });

  // moto does not apply LoggingConfig: check it as written.
  it('logs to a log group of its own, kept 30 days', () => {
    const { ProjectionsFunction, FunctionLogGroup } = template.Resources;

    expect(ProjectionsFunction?.Properties.LoggingConfig).toEqual({
      LogGroup: { Ref: 'FunctionLogGroup' },
    });
    expect(FunctionLogGroup).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('grants exactly the DynamoDB actions the handler sends, each on its own table: measured over every kind of batch', async () => {
    const client = new DynamoDBClient({ ...testClientConfig(), endpoint: target.endpoint });
    const sent = logIamActions(client);
    const handlerOf = (handlerFailures: 'throw' | 'park') =>
      createProjectionsHandler(
        measureFx.lambdaModule({
          features: [{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }],
          projections: [IamLambdaBalances],
          client,
          projectionsOptions: { handlerFailures },
        }),
        {
          contextOptions: { logger: false },
          logger: { warn: () => undefined, error: () => undefined },
        },
      );
    const [ada, bob, cy] = ['Ada', 'Bob', 'Cy'].map(() =>
      streamIdOf('BankAccount', randomUUID()),
    ) as [string, string, string];
    const idOf = (stream: string) => stream.split('#')[1]!;
    const event = (type: string, stream: string, payload: Record<string, unknown>): NewEvent => ({
      type,
      payload: { accountId: idOf(stream), ...payload },
    });
    await measureFx.store.appendToStream(ada, 0, [
      event('AccountOpened', ada, { owner: 'Ada' }),
      event('MoneyDeposited', ada, { amount: 5 }),
    ]);
    await measureFx.store.appendToStream(bob, 0, [event('AccountOpened', bob, { owner: 'Bob' })]);
    await measureFx.store.appendToStream(ada, 2, [event('MoneyWithdrawn', ada, { amount: 5 })]);
    await measureFx.store.appendToStream(bob, 1, [event('MoneyDeposited', bob, { amount: 13 })]);
    await measureFx.store.appendToStream(cy, 0, [event('AccountOpened', cy, { owner: 'Cy' })]);
    await measureFx.store.appendToStream(cy, 1, [event('MoneyDeposited', cy, { amount: 1 })]);
    const records = await measureFx.streamRecords();

    try {
      const throwing = handlerOf('throw');
      // Set, increment, delete; then the poison (Bob's 13), reported.
      expect((await throwing(measureFx.lambdaEvent(records))).batchItemFailures).toHaveLength(1);
      // Cy's deposit alone: the opening is read from the table (Query).
      await handlerOf('throw')(measureFx.lambdaEvent(records.slice(-1)));
      // The whole batch again, parking Bob's stream: every record a redelivery but the poison, parked.
      expect(await handlerOf('park')(measureFx.lambdaEvent(records))).toEqual({
        batchItemFailures: [],
      });
    } finally {
      client.destroy();
    }
    // Each table measured stands for the stack's table of the same kind.
    const measured: Record<string, string[]> = {};
    for (const { tableName, action } of sent) {
      expect([measureFx.eventsTable, measureFx.viewsTable]).toContain(tableName);
      const arn = tableName === measureFx.eventsTable ? eventsTableArn() : viewsTableArn();
      measured[arn] = distinct([...(measured[arn] ?? []), action]);
    }

    expect(measured).toEqual({
      // DescribeTable: the startup check of each cold start.
      [eventsTableArn()]: ['dynamodb:DescribeTable', 'dynamodb:Query'],
      [viewsTableArn()]: [
        'dynamodb:BatchGetItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ],
    });
    const policy = rolePolicy();
    const dynamoGrants = grantsOf(policy, PLACEHOLDERS).filter(
      ({ resource }) => !resource.includes('/stream/') && resource.includes(':dynamodb:'),
    );
    // No less: every table requested allows exactly what was requested on it.
    for (const [resource, actions] of Object.entries(measured))
      expect({ resource, allowed: actionsAllowedOn(policy, PLACEHOLDERS, resource) }).toEqual({
        resource,
        allowed: actions,
      });
    // No more: every DynamoDB grant but the stream's is on a table requested, for actions requested there.
    for (const { resource, actions } of dynamoGrants)
      expect({ resource, actions: distinct(actions) }).toEqual({
        resource,
        actions: distinct(
          Object.entries(measured)
            .filter(([arn]) => matchesArn(resource, arn))
            .flatMap(([, requested]) => requested),
        ),
      });
  });

  // Lambda's event source mapping reads the stream as the function's role, CloudWatch Logs receives its output and
  // Lambda sends a given-up batch's description to the queue: none of it can be seen here (moto cannot invoke
  // functions), so the grants are checked against AWS's documentation and the stack's own resources.
  it('grants the stream reads the mapping needs on the events table’s streams only, logs on its group, SendMessage on its queue', () => {
    const grants = grantsOf(rolePolicy(), PLACEHOLDERS);
    const onStream = grants.filter(({ resource }) => resource.includes('/stream/'));
    const elsewhere = grants.filter(({ resource }) => !resource.includes(':dynamodb:'));

    expect(onStream).toEqual([{ resource: `${eventsTableArn()}/stream/*`, actions: STREAM_READS }]);
    expect(matchesArn(onStream[0]!.resource, fx.streamArn)).toBe(true);
    expect(elsewhere).toEqual([
      {
        resource: expect.stringMatching(/^arn:aws:logs:.*:log-group:.+:\*$/),
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      },
      { resource: stack.outputs.FailedBatchesQueueArn, actions: ['sqs:SendMessage'] },
    ]);
    expect(elsewhere[0]!.resource).toContain(`:log-group:${stack.outputs.LogGroupName}:`);
    for (const statement of rolePolicy().Statement) expect(statement.Effect).toBe('Allow');
  });

  it('bounds every retry and starts from the oldest record unless told otherwise', () => {
    const { Parameters } = template;

    expect(Parameters.MaximumRetryAttempts?.Default).toBeGreaterThanOrEqual(0);
    expect(Parameters.MaximumRecordAgeInSeconds?.Default).toBeGreaterThanOrEqual(60);
    expect(Parameters.MaximumRecordAgeInSeconds?.Default).toBeLessThan(24 * 3600);
    expect(Parameters.ParallelizationFactor?.Default).toBe(1);
    expect(template.Resources.StreamMapping?.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
    });
    expect(asList(template.Resources.StreamMapping?.Properties.FunctionResponseTypes)).toEqual([
      'ReportBatchItemFailures',
    ]);
  });
});

/** The placeholders the helpers fill in: none in a deployed policy, whose resources are resolved. */
const PLACEHOLDERS = { REGION: '', ACCOUNT_ID: '', TABLE_NAME: '' };

function rolePolicy(): PolicyDocument {
  const policies = Object.values(deployed.policies);
  expect(policies).toHaveLength(1);
  return policies[0]!;
}
