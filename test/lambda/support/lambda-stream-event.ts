import {
  type AttributeValue,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue as LambdaAttributeValue,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';

/**
 * Every record of the stream's shards, read from the start (TRIM_HORIZON) with the real GetRecords, as Lambda's
 * event source mapping reads them. moto has one shard, never split, and no caps on a page.
 */
export async function readStreamRecords(
  streams: DynamoDBStreamsClient,
  streamArn: string,
): Promise<StreamRecord[]> {
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  const records: StreamRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = ShardIterator;
    // An open shard always answers with a next iterator: stop at the first page that brings nothing new.
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      if (!page.Records?.length) break;
      records.push(...page.Records);
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/**
 * A record as Lambda delivers it: the JSON of GetRecords (epoch seconds for ApproximateCreationDateTime, base64 for
 * binary values), with the stream's ARN and region, which Lambda adds and moto's records lack.
 */
export function toLambdaRecord(
  record: StreamRecord,
  { streamArn, region }: { readonly streamArn: string; readonly region: string },
): DynamoDBRecord {
  const { dynamodb } = record;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: dynamodb && {
      ApproximateCreationDateTime:
        dynamodb.ApproximateCreationDateTime &&
        dynamodb.ApproximateCreationDateTime.getTime() / 1000,
      Keys: dynamodb.Keys && toLambdaImage(dynamodb.Keys),
      NewImage: dynamodb.NewImage && toLambdaImage(dynamodb.NewImage),
      OldImage: dynamodb.OldImage && toLambdaImage(dynamodb.OldImage),
      SequenceNumber: dynamodb.SequenceNumber,
      SizeBytes: dynamodb.SizeBytes,
      StreamViewType: dynamodb.StreamViewType,
    },
  };
}

/** The event of a Lambda invocation carrying these records, in this order. */
export function lambdaEventOf(
  records: readonly StreamRecord[],
  source: { readonly streamArn: string; readonly region: string },
): DynamoDBStreamEvent {
  return { Records: records.map((record) => toLambdaRecord(record, source)) };
}

function toLambdaImage(
  image: Record<string, AttributeValue>,
): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]),
  );
}

function toLambdaValue(value: AttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined)
    return { BS: value.BS.map((item) => Buffer.from(item).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  return value as LambdaAttributeValue;
}
