import {
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { Endpoint } from '@smithy/types';
import { EventStoreTableSchemaError, TableCheckError, type TableCheckProblem } from './errors.js';
import {
  isMissingCredentials,
  isMissingRegion,
  isResourceNotFound,
  refusalOf,
  unreachableCodeOf,
} from './sdk-errors.js';
import { assertKeySchema, EVENTS_TABLE, type TableDefinition } from './table.js';

/** A table an application checks when it starts, and what the messages say to create, name and allow it. */
export interface CheckedTable {
  readonly tableName: string;
  readonly definition: TableDefinition;
  /** The option that names the table, for a name that may be wrong: "`viewsTable` of DynamoProjectionsModule". */
  readonly nameOption: string;
  /** The `create-tables` option that names it: `--table`, `--views-table` or `--lease-table`. */
  readonly createTablesOption: string;
  /** The function that creates it from code: "createViewTable()". */
  readonly createFunction: string;
  /** The IAM policy, in the repository's deploy/ folder, that allows every request the application sends to it. */
  readonly policyFile: string;
}

/** The events table, as the start-up check and the health indicator check it. */
export function eventsTableChecked(tableName: string): CheckedTable {
  return {
    tableName,
    definition: EVENTS_TABLE,
    nameOption: '`tableName` of DynamoEventStoreModule.forRoot()',
    createTablesOption: '--table',
    createFunction: 'createEventStoreTable()',
    policyFile: 'deploy/event-store-iam-policy.json',
  };
}

/** Where the client sends its requests. */
interface Target {
  /** The endpoint it was configured with; undefined for AWS's own. */
  readonly endpoint?: string;
  /** Undefined when the client has none. */
  readonly region?: string;
}

/**
 * ACTIVE, or UPDATING (a change of capacity, indexes or stream settings): DynamoDB serves reads and writes in both.
 * A table being created or deleted, archived, or whose encryption key is out of reach serves none.
 */
const USABLE_STATUSES = new Set(['ACTIVE', 'UPDATING']);

const CLI = 'npx nestjs-dynamo-es create-tables';

/**
 * Checks each table with one DescribeTable: that the client has a region and credentials DynamoDB accepts, and may
 * describe the table, and that the table exists, can serve requests and has the key schema its store needs. The
 * tables are checked at once; the first failure in the order given is thrown, as a TableCheckError that says how to
 * fix it. Nothing is written.
 */
export async function checkTables(
  client: DynamoDBClient,
  tables: readonly CheckedTable[],
  /** The events table of the application: `create-tables` always names it, with `--table`. */
  eventsTable: string,
): Promise<void> {
  const target = await targetOf(client);
  const outcomes = await Promise.allSettled(
    tables.map((table) => checkTable(client, table, target, eventsTable)),
  );
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
}

async function checkTable(
  client: DynamoDBClient,
  table: CheckedTable,
  target: Target,
  eventsTable: string,
): Promise<void> {
  const report = new Report(table, target);
  if (target.region === undefined) throw report.noRegion();
  let description: TableDescription | undefined;
  try {
    ({ Table: description } = await client.send(
      new DescribeTableCommand({ TableName: table.tableName }),
    ));
  } catch (error) {
    throw report.requestFailed(error, eventsTable);
  }
  if (!description) return;
  try {
    assertKeySchema(table.tableName, description, table.definition);
  } catch (error) {
    if (error instanceof EventStoreTableSchemaError) throw report.keySchema(error);
    throw error;
  }
  const status = description.TableStatus;
  if (status !== undefined && !USABLE_STATUSES.has(status)) throw report.notActive(status);
}

/** The messages of one table's check: each names the table, where it was looked for, and the fix. */
class Report {
  private readonly where: string;
  /** 'the events table "orders" at http://localhost:8000' */
  private readonly subject: string;

  constructor(
    private readonly table: CheckedTable,
    private readonly target: Target,
  ) {
    this.where = target.endpoint
      ? `at ${target.endpoint}`
      : target.region
        ? `in AWS region ${target.region}`
        : 'on AWS';
    this.subject = `the ${table.definition.noun} "${table.tableName}" ${this.where}`;
  }

  noRegion(cause?: unknown): TableCheckError {
    return this.error(
      'no-region',
      `Cannot check ${this.subject}: no AWS region is configured, and the SDK signs every request for a ` +
        'region, even to a local endpoint. Set AWS_REGION, or clientConfig.region in ' +
        'DynamoEventStoreModule.forRoot() (dynamoDBClientConfig({ endpoint }) sets one for a local endpoint).',
      cause,
    );
  }

  requestFailed(error: unknown, eventsTable: string): TableCheckError {
    const said = sdkErrorText(error);
    if (isMissingRegion(error)) return this.noRegion(error);
    if (isMissingCredentials(error))
      return this.error(
        'no-credentials',
        `Cannot check ${this.subject}: no AWS credentials were found (${said}). Set AWS_PROFILE, or ` +
          'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values for a local emulator), or run where a role ' +
          "provides them (an ECS task role, an EC2 instance profile, a Lambda function's role).",
        error,
      );
    const refusal = refusalOf(error);
    if (refusal === 'credentials')
      return this.error(
        'credentials-refused',
        `DynamoDB ${this.where} refused the credentials sent to check the ${this.table.definition.noun} ` +
          `"${this.table.tableName}" (${said}). Use an active access key of the account that owns the table: ` +
          'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary ' +
          'credentials), or AWS_PROFILE.',
        error,
      );
    if (refusal === 'forbidden')
      return this.error(
        'credentials-refused',
        `DynamoDB ${this.where} refused the request to check the ${this.table.definition.noun} ` +
          `"${this.table.tableName}" with 403 Forbidden, and no error name that says why. Check the credentials ` +
          '(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), and that they may ' +
          `dynamodb:DescribeTable the table: ${this.table.policyFile} in the nestjs-dynamo-es repository allows ` +
          'every request the application sends.',
        error,
      );
    if (refusal === 'permissions')
      return this.error(
        'not-allowed',
        `The credentials may not describe ${this.subject} (${said}). Allow dynamodb:DescribeTable on the ` +
          `table to the application's role or user: ${this.table.policyFile} in the nestjs-dynamo-es ` +
          'repository allows every request the application sends.',
        error,
      );
    const unreachable = unreachableCodeOf(error);
    if (unreachable)
      return this.error(
        'unreachable',
        `Could not reach DynamoDB ${this.where} to check the ${this.table.definition.noun} ` +
          `"${this.table.tableName}" (${unreachable}). ` +
          (this.target.endpoint
            ? 'Start the endpoint, or correct clientConfig.endpoint.'
            : 'Check the network (a proxy, a VPC endpoint) and the region name.'),
        error,
      );
    if (isResourceNotFound(error))
      return this.error(
        'table-missing',
        `${capitalised(this.subject)} does not exist. Create it with ` +
          `\`${this.createTablesCommand(eventsTable)}\` (or ${this.table.createFunction}), or correct ` +
          `${this.table.nameOption}` +
          (this.target.endpoint
            ? '.'
            : ' or the region: a table belongs to one region and account.'),
        error,
      );
    return this.error(
      'check-failed',
      `Could not check ${this.subject}: ${said}. Start again once DynamoDB answers; ` +
        '`checkTablesOnStartup: false` starts the application without the check.',
      error,
    );
  }

  keySchema(error: EventStoreTableSchemaError): TableCheckError {
    return this.error(
      'key-schema',
      `${capitalised(this.subject)} has key schema ${error.found}; ${this.table.definition.purpose} needs ` +
        `${error.expected}. Correct ${this.table.nameOption} to name a table created for it, or recreate this ` +
        'one (create-tables).',
      error,
    );
  }

  notActive(status: string): TableCheckError {
    const { tableName } = this.table;
    const fix =
      status === 'CREATING'
        ? 'start the application once it is ACTIVE ' +
          `(\`aws dynamodb wait table-exists --table-name ${tableName}\`).`
        : status === 'DELETING'
          ? `it is being deleted: create it again once it is gone, or correct ${this.table.nameOption}.`
          : status === 'INACCESSIBLE_ENCRYPTION_CREDENTIALS'
            ? 'its KMS key is disabled or out of reach: restore access to the key.'
            : 'DynamoDB serves no requests to it in this state (see the table in the DynamoDB console).';
    return this.error(
      'not-active',
      `${capitalised(this.subject)} is ${status}, not ACTIVE: ${fix}`,
    );
  }

  private createTablesCommand(eventsTable: string): string {
    const { createTablesOption, tableName } = this.table;
    return [
      `${CLI} --table ${eventsTable}`,
      ...(createTablesOption === '--table' ? [] : [`${createTablesOption} ${tableName}`]),
      ...(this.target.endpoint
        ? [`--endpoint ${this.target.endpoint}`]
        : this.target.region
          ? [`--region ${this.target.region}`]
          : []),
    ].join(' ');
  }

  private error(problem: TableCheckProblem, message: string, cause?: unknown): TableCheckError {
    const { endpoint, region } = this.target;
    return new TableCheckError(
      problem,
      this.table.tableName,
      endpoint,
      region,
      message,
      cause === undefined ? undefined : { cause },
    );
  }
}

async function targetOf(client: DynamoDBClient): Promise<Target> {
  const { endpoint, region } = client.config;
  return {
    endpoint: endpoint ? urlOf(await endpoint()) : undefined,
    // The SDK's region provider throws "Region is missing" when neither the settings nor the environment have one.
    region: await region().catch(() => undefined),
  };
}

function urlOf({ protocol, hostname, port, path }: Endpoint): string {
  return `${protocol}//${hostname}${port ? `:${port}` : ''}${path === '/' ? '' : path}`;
}

/** "UnrecognizedClientException: The security token included in the request is invalid.", on one line. */
function sdkErrorText(error: unknown): string {
  const { name = 'Error', message = '' } = (error ?? {}) as { name?: string; message?: string };
  const [firstLine = ''] = message.trim().split('\n');
  return firstLine ? `${name}: ${firstLine.trim()}` : name;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
