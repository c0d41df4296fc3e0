import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';

/** A shard of the stream, as leases need it. */
export interface StreamShard {
  readonly shardId: string;
  /** DynamoDB gives one parent at most; none for the stream's first shards, or once the parent is trimmed. */
  readonly parentShardIds: readonly string[];
  /** Whether the shard is closed (it has an ending sequence number): it will be read to its end, then never again. */
  readonly closed: boolean;
}

/** Every shard the stream lists: DescribeStream, page by page (AWS gives at most 100 shards a page). */
export async function listStreamShards(
  client: DynamoDBStreamsClient,
  streamArn: string,
  abortSignal?: AbortSignal,
): Promise<StreamShard[]> {
  const shards: StreamShard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({
        StreamArn: streamArn,
        ExclusiveStartShardId: exclusiveStartShardId,
      }),
      { abortSignal },
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      if (shard.ShardId) shards.push(streamShardOf(shard, shard.ShardId));
    }
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
}

function streamShardOf(shard: Shard, shardId: string): StreamShard {
  return {
    shardId,
    parentShardIds: shard.ParentShardId ? [shard.ParentShardId] : [],
    closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
  };
}
