import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

export interface AuthorisedAction {
  /** The operation on the wire, e.g. TransactWriteItems. */
  readonly operation: string;
  /** The IAM action DynamoDB checks, e.g. dynamodb:PutItem for a Put inside TransactWriteItems. */
  readonly action: string;
  readonly tableName: string;
}

/** A request to DynamoDB Streams, whose IAM actions are in the dynamodb namespace and on the stream's ARN. */
export interface AuthorisedStreamAction {
  /** The operation on the wire, e.g. GetRecords. */
  readonly operation: string;
  /** The IAM action DynamoDB checks, e.g. dynamodb:GetRecords. */
  readonly action: string;
  /** The stream it is checked on: named by DescribeStream and GetShardIterator, the iterator's for GetRecords. */
  readonly streamArn: string;
}

/** IAM checks each action of a transaction as its single-item counterpart; there is no TransactWriteItems action. */
const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

interface RequestInput {
  readonly TableName?: string;
  readonly TransactItems?: readonly Record<string, { readonly TableName: string }>[];
  readonly RequestItems?: Readonly<Record<string, unknown>>;
}

interface StreamRequestInput {
  readonly StreamArn?: string;
  readonly ShardIterator?: string;
}

interface StreamRequestOutput {
  readonly ShardIterator?: string;
  readonly NextShardIterator?: string;
}

/** The operation of a JSON-protocol request: its `X-Amz-Target` header is `<service version>.<operation>`. */
function operationOf(request: unknown): string {
  const { headers } = request as { headers: Record<string, string> };
  return headers['x-amz-target']!.split('.')[1]!;
}

/** Records the IAM actions, and the tables they are on, of every request the client sends over HTTP. */
export function logIamActions(client: DynamoDBClient): AuthorisedAction[] {
  const log: AuthorisedAction[] = [];
  client.middlewareStack.add(
    (next) => (args) => {
      const operation = operationOf(args.request);
      const body = args.input as RequestInput;
      if (operation === 'TransactWriteItems')
        for (const item of body.TransactItems!)
          for (const [kind, { TableName }] of Object.entries(item))
            log.push({
              operation,
              action: TRANSACT_WRITE_ACTIONS[kind] ?? `unknown ${kind}`,
              tableName: TableName,
            });
      else if (operation === 'BatchGetItem' || operation === 'BatchWriteItem')
        for (const tableName of Object.keys(body.RequestItems!))
          log.push({ operation, action: `dynamodb:${operation}`, tableName });
      else log.push({ operation, action: `dynamodb:${operation}`, tableName: body.TableName! });
      return next(args);
    },
    { step: 'build', name: 'iamActionLog' },
  );
  return log;
}

/**
 * Records the IAM actions, and the streams they are on, of every request the Streams client sends over HTTP.
 * GetRecords names no stream, only an iterator: the stream is the one the iterator was issued for, as the log saw
 * in the answers of GetShardIterator and of earlier GetRecords.
 */
export function logStreamsIamActions(client: DynamoDBStreamsClient): AuthorisedStreamAction[] {
  const log: AuthorisedStreamAction[] = [];
  const streamOfIterator = new Map<string, string>();
  client.middlewareStack.add(
    (next) => async (args) => {
      const operation = operationOf(args.request);
      const { StreamArn, ShardIterator } = args.input as StreamRequestInput;
      const streamArn =
        StreamArn ??
        (ShardIterator === undefined ? undefined : streamOfIterator.get(ShardIterator)) ??
        'unknown stream';
      log.push({ operation, action: `dynamodb:${operation}`, streamArn });
      const result = await next(args);
      const output = result.output as StreamRequestOutput;
      for (const issued of [output.ShardIterator, output.NextShardIterator])
        if (issued !== undefined) streamOfIterator.set(issued, streamArn);
      return result;
    },
    { step: 'build', name: 'iamActionLog' },
  );
  return log;
}
