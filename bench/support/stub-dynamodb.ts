import { Readable } from 'node:stream';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { HttpRequest, HttpResponse } from '@smithy/types';

/**
 * Answers one DynamoDB operation (`Query`, `PutItem`, …) given its JSON request body, with a JSON response body. A
 * Buffer is sent as it is, off the JS heap, as a response read from a socket would be; a string is copied into a
 * Buffer on every request. Query answers should come from a StubTable (stub-table.ts), which answers by
 * DynamoDB's rules and keeps its answers as Buffers.
 */
export type StubAnswer = (operation: string, requestBody: string) => string | Buffer;

/**
 * A DynamoDBClient whose HTTP layer is replaced by canned answers: every SDK layer above the socket (serialising,
 * signing, retries, deserialising) runs as it would against DynamoDB, with no network and no server. For measuring
 * CPU in process. `config` adds client settings (cacheMiddleware, …); a default client otherwise.
 */
export function stubbedClient(
  answer: StubAnswer,
  config: Pick<DynamoDBClientConfig, 'cacheMiddleware'> = {},
): DynamoDBClient {
  return new DynamoDBClient({ ...config, ...stubbedClientConfig(answer) });
}

/** The settings of a stubbed client, for code that creates its clients itself (DynamoEventStoreModule). */
export function stubbedClientConfig(answer: StubAnswer): DynamoDBClientConfig {
  return {
    region: 'us-east-1',
    endpoint: 'http://dynamodb.stub',
    credentials: { accessKeyId: 'stub', secretAccessKey: 'stub' },
    requestHandler: {
      handle: (request: HttpRequest) => {
        const operation = String(request.headers['x-amz-target']).split('.')[1] ?? '';
        // Copied byte by byte: the SDK warns when a request body is read as a string.
        const requestBody =
          typeof request.body === 'string'
            ? request.body
            : new TextDecoder().decode(new Uint8Array(request.body as Uint8Array));
        const answered = answer(operation, requestBody);
        const body = typeof answered === 'string' ? Buffer.from(answered) : answered;
        return Promise.resolve({
          response: {
            statusCode: 200,
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'content-length': String(body.length),
              'x-amzn-requestid': 'stub',
            },
            body: Readable.from([body]),
          } satisfies HttpResponse,
        });
      },
    },
  };
}

/** The empty success answer of a write. */
export const WRITE_ACCEPTED = '{}';

/** A request the stub answered, with its answer. */
export interface RecordedRequest {
  readonly operation: string;
  readonly body: string;
  readonly answer: Buffer;
}

/**
 * Wraps an answer to record the requests it answers, only inside `record`: for the checks made before timing
 * (which requests a piece of code sends, what they are answered), never while timing.
 */
export class RequestRecorder {
  private recorded: RecordedRequest[] | undefined;

  constructor(private readonly inner: StubAnswer) {}

  readonly answer: StubAnswer = (operation, body) => {
    const answered = this.inner(operation, body);
    this.recorded?.push({
      operation,
      body,
      answer: typeof answered === 'string' ? Buffer.from(answered) : answered,
    });
    return answered;
  };

  /** Runs `work`, and returns what it returned with the requests it sent, in order. */
  async record<T>(work: () => Promise<T>): Promise<{ result: T; requests: RecordedRequest[] }> {
    if (this.recorded) throw new Error('Already recording');
    const requests: RecordedRequest[] = [];
    this.recorded = requests;
    try {
      return { result: await work(), requests };
    } finally {
      this.recorded = undefined;
    }
  }
}
