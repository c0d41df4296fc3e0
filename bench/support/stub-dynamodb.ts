import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HttpRequest, HttpResponse } from '@smithy/types';

/**
 * Answers one DynamoDB operation (`Query`, `PutItem`, …) given its JSON request body, with a JSON response body. A
 * Buffer is sent as it is, off the JS heap, as a response read from a socket would be.
 */
export type StubAnswer = (operation: string, requestBody: string) => string | Buffer;

/**
 * A DynamoDBClient whose HTTP layer is replaced by canned answers: every SDK layer above the socket (serialising,
 * signing, retries, deserialising) runs as it would against DynamoDB, with no network and no server. For measuring
 * CPU in process.
 */
export function stubbedClient(answer: StubAnswer): DynamoDBClient {
  return new DynamoDBClient({
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
  });
}

/** The empty success answer of a write. */
export const WRITE_ACCEPTED = '{}';
