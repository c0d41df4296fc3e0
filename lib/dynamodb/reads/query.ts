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
        ExpressionAttributeNames: { '#stream': PARTITION_KEY, '#version': SORT_KEY },
        ExpressionAttributeValues: {
          ':stream': { S: streamId },
          ':from': { N: String(fromVersion) },
          ':to': { N: String(toVersion) },
        },
        ConsistentRead: true,
      },
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
        [SORT_KEY],
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
        ExpressionAttributeNames: { '#stream': PARTITION_KEY },
        ExpressionAttributeValues: { ':stream': { S: streamId } },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
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
  attributes: readonly string[] | undefined,
): QueryCommandInput {
  if (!attributes) return input;
  const { expression, names } = projectionOf(attributes);
  return {
    ...input,
    ProjectionExpression: expression,
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...names },
  };
}

/** Built once per list: the store reads with a few constant lists, and building them was a share of each load. */
const projections = new WeakMap<
  readonly string[],
  { readonly expression: string; readonly names: Readonly<Record<string, string>> }
>();

function projectionOf(attributes: readonly string[]) {
  let projection = projections.get(attributes);
  if (!projection) {
    projection = {
      expression: attributes.map((name) => `#${name}`).join(', '),
      names: Object.fromEntries(attributes.map((name) => [`#${name}`, name])),
    };
    projections.set(attributes, projection);
  }
  return projection;
}
