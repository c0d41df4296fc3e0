import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { MAX_STREAM_VERSION } from '../../core/limits.js';
import type { VersionRange } from '../../core/read-options.js';
import { asTypedSdkError } from '../sdk-errors.js';
import { PARTITION_KEY, SORT_KEY, type WireItem } from '../table-layout.js';

/**
 * Every Query the store sends, built here: all strongly consistent, all on one stream's partition. `attributes`
 * narrows what DynamoDB returns (not what it charges: a Query costs the size of the items it reads).
 */
/** The names the key conditions use, shared by every request. */
const STREAM_AND_VERSION = Object.freeze({ '#stream': PARTITION_KEY, '#version': SORT_KEY });
const STREAM_ONLY = Object.freeze({ '#stream': PARTITION_KEY });
const VERSION_ONLY = Object.freeze([SORT_KEY]);

export const streamQueries = {
  /** The events from one version to another, in version order. */
  range(
    tableName: string,
    streamId: string,
    { fromVersion, toVersion }: VersionRange,
    attributes?: readonly string[],
  ): QueryCommandInput {
    return withAttributes(
      {
        TableName: tableName,
        KeyConditionExpression: '#stream = :stream AND #version BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':stream': { S: streamId },
          ':from': { N: String(fromVersion) },
          ':to': { N: String(toVersion) },
        },
        ConsistentRead: true,
      },
      STREAM_AND_VERSION,
      attributes,
    );
  },

  /** The stream's last event, its version only. */
  lastVersion(tableName: string, streamId: string): QueryCommandInput {
    return {
      ...streamQueries.range(
        tableName,
        streamId,
        { fromVersion: 1, toVersion: MAX_STREAM_VERSION },
        VERSION_ONLY,
      ),
      ScanIndexForward: false,
      Limit: 1,
    };
  },

  /** One version of the stream, with the given attributes only. */
  at(
    tableName: string,
    streamId: string,
    version: number,
    attributes: readonly string[],
  ): QueryCommandInput {
    return streamQueries.range(
      tableName,
      streamId,
      { fromVersion: version, toVersion: version },
      attributes,
    );
  },

  /** The whole partition, newest first: the snapshot item, then the events from the last one down. */
  newestFirst(
    tableName: string,
    streamId: string,
    attributes: readonly string[],
  ): QueryCommandInput {
    return withAttributes(
      {
        TableName: tableName,
        KeyConditionExpression: '#stream = :stream',
        ExpressionAttributeValues: { ':stream': { S: streamId } },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      STREAM_ONLY,
      attributes,
    );
  },
};

/**
 * The pages of a Query, each requested once the previous one has been consumed. Items stay in DynamoDB's attribute
 * value form: the store's items are flat, and reading them directly costs a fraction of a generic conversion. A
 * consumer that empties each page (`items.length = 0`) once done lets it be collected while the next one is read:
 * this generator's suspended frame still refers to it.
 */
export async function* queryPages(
  client: DynamoDBClient,
  input: QueryCommandInput,
): AsyncGenerator<WireItem[]> {
  let exclusiveStartKey: WireItem | undefined;
  do {
    const { Items = [], LastEvaluatedKey } = await sendQuery(client, {
      ...input,
      ExclusiveStartKey: exclusiveStartKey,
    });
    exclusiveStartKey = LastEvaluatedKey;
    yield Items;
  } while (exclusiveStartKey);
}

/** One Query, its failure for a missing table or refused credentials turned into the store's typed error. */
export async function sendQuery(
  client: DynamoDBClient,
  input: QueryCommandInput,
): Promise<QueryCommandOutput> {
  try {
    // Sent without options: any options object makes a caching client drop its cached handler stacks.
    return await client.send(new QueryCommand(input));
  } catch (error) {
    throw asTypedSdkError(error, input.TableName ?? '');
  }
}

function withAttributes(
  input: QueryCommandInput,
  keyNames: Readonly<Record<string, string>>,
  attributes: readonly string[] | undefined,
): QueryCommandInput {
  if (!attributes) return { ...input, ExpressionAttributeNames: keyNames };
  const { expression, names } = projectionOf(keyNames, attributes);
  return { ...input, ProjectionExpression: expression, ExpressionAttributeNames: names };
}

interface Projection {
  readonly expression: string;
  readonly names: Readonly<Record<string, string>>;
}

/**
 * Built once for each key condition's names and attribute list, all constants, and shared by every request
 * (frozen): building and spreading them per request was a tenth of the library's own CPU in a load.
 */
const projections = new WeakMap<object, WeakMap<readonly string[], Projection>>();

function projectionOf(
  keyNames: Readonly<Record<string, string>>,
  attributes: readonly string[],
): Projection {
  let byAttributes = projections.get(keyNames);
  if (!byAttributes) projections.set(keyNames, (byAttributes = new WeakMap()));
  let projection = byAttributes.get(attributes);
  if (!projection) {
    projection = Object.freeze({
      expression: attributes.map((name) => `#${name}`).join(', '),
      names: Object.freeze({
        ...keyNames,
        ...Object.fromEntries(attributes.map((name) => [`#${name}`, name])),
      }),
    });
    byAttributes.set(attributes, projection);
  }
  return projection;
}
