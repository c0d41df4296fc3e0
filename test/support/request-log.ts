import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface SentRequest {
  readonly command: string;
  /** The low-level input, as marshalled for the wire. */
  readonly input: Record<string, unknown>;
}

/** Records every request the client sends over HTTP, one entry per attempt (retries included). */
export class RequestLog {
  readonly requests: SentRequest[] = [];

  static attachTo(client: DynamoDBClient): RequestLog {
    const log = new RequestLog();
    client.middlewareStack.add(
      (next, context) => (args) => {
        log.requests.push({
          command: context.commandName ?? 'unknown',
          input: args.input as Record<string, unknown>,
        });
        return next(args);
      },
      { step: 'deserialize', name: 'requestLog' },
    );
    return log;
  }

  count(command?: string): number {
    return command === undefined
      ? this.requests.length
      : this.requests.filter((request) => request.command === command).length;
  }

  /** Query requests that read the given stream. */
  queriesOf(streamId: string): number {
    return this.requests.filter(
      (request) =>
        request.command === 'QueryCommand' &&
        JSON.stringify(request.input.ExpressionAttributeValues).includes(JSON.stringify(streamId)),
    ).length;
  }

  clear(): void {
    this.requests.length = 0;
  }
}
