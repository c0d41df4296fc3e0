import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface AuthorisedAction {
  /** The operation on the wire, e.g. TransactWriteItems. */
  readonly operation: string;
  /** The IAM action DynamoDB checks, e.g. dynamodb:PutItem for a Put inside TransactWriteItems. */
  readonly action: string;
  readonly tableName: string;
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
}

/** Records the IAM actions, and the tables they are on, of every request the client sends over HTTP. */
export function logIamActions(client: DynamoDBClient): AuthorisedAction[] {
  const log: AuthorisedAction[] = [];
  client.middlewareStack.add(
    (next) => (args) => {
      const { headers } = args.request as { headers: Record<string, string> };
      const operation = headers['x-amz-target']!.split('.')[1]!;
      const body = args.input as RequestInput;
      if (operation === 'TransactWriteItems')
        for (const item of body.TransactItems!)
          for (const [kind, { TableName }] of Object.entries(item))
            log.push({
              operation,
              action: TRANSACT_WRITE_ACTIONS[kind] ?? `unknown ${kind}`,
              tableName: TableName,
            });
      else log.push({ operation, action: `dynamodb:${operation}`, tableName: body.TableName! });
      return next(args);
    },
    { step: 'build', name: 'iamActionLog' },
  );
  return log;
}
