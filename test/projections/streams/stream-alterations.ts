import type {
  DescribeStreamInput,
  DescribeStreamOutput,
  DynamoDBStreamsClient,
  GetRecordsInput,
  GetRecordsOutput,
  GetShardIteratorInput,
  GetShardIteratorOutput,
  Shard,
  _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';

/**
 * What moto cannot do, injected around a real client: each alteration receives the request and a function that
 * forwards it (possibly changed) to moto, and answers in its stead. Installed as the client's own middleware, so the
 * runner talks to a real DynamoDBStreamsClient whose requests really reach moto.
 */
export interface StreamsAlterations {
  readonly DescribeStreamCommand?: Alteration<DescribeStreamInput, DescribeStreamOutput>;
  readonly GetShardIteratorCommand?: Alteration<GetShardIteratorInput, GetShardIteratorOutput>;
  readonly GetRecordsCommand?: Alteration<GetRecordsInput, GetRecordsOutput>;
}

export type Alteration<I, O> = (input: I, forward: (input: I) => Promise<O>) => Promise<O>;

export function alterStreams(
  client: DynamoDBStreamsClient,
  alterations: StreamsAlterations,
): DynamoDBStreamsClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const alteration = alterations[context.commandName as keyof StreamsAlterations] as
        Alteration<object, object> | undefined;
      if (!alteration) return next(args);
      let response: unknown;
      const output = await alteration(args.input, async (input) => {
        const result = await next({ ...args, input });
        response = result.response;
        return result.output;
      });
      return { output: output as never, response };
    },
    { step: 'initialize', name: 'testAlterations' },
  );
  return client;
}

/** GetRecords answers counted, with a fault thrown in place of the `failOnCall`-th. */
export function failGetRecordsOnce(failOnCall: number, fault: () => Error): StreamsAlterations {
  let calls = 0;
  return {
    GetRecordsCommand: async (input, forward) => {
      calls += 1;
      if (calls === failOnCall) throw fault();
      return forward(input);
    },
  };
}

/** A shard of a stream as AWS would describe it, made of some of moto's one shard's records. */
export interface SyntheticShard {
  readonly shardId: string;
  readonly parentShardId?: string;
  /** Children: the parent's ending sequence number. Records up to it belong to the parent. */
  readonly startingAfter?: string;
  /** Closed shards: its last record. Records after it belong to its children. */
  readonly endingSequenceNumber?: string;
  /** Which of moto's records belong to this shard. */
  readonly holds: (record: StreamRecord) => boolean;
}

/**
 * A stream of several shards, with lineage, over moto's single shard: DescribeStream answers with these shards (in
 * pages of `pageSize`, as AWS pages at 100), and each shard's iterators read moto's shard and keep only the shard's
 * records. A closed shard ends (no NextShardIterator) once moto's shard was read past its ending sequence number.
 */
export function syntheticShards(
  shards: readonly SyntheticShard[],
  { pageSize = 2 }: { readonly pageSize?: number } = {},
): StreamsAlterations {
  const byId = new Map(shards.map((shard) => [shard.shardId, shard]));
  interface Position {
    readonly shard: SyntheticShard;
    /** moto's iterator; undefined once the shard has ended. */
    readonly iterator: string | undefined;
  }
  const positions = new Map<string, Position>();
  let tokens = 0;
  const tokenFor = (position: Position) => {
    const token = `synthetic-iterator-${++tokens}`;
    positions.set(token, position);
    return token;
  };
  let realShardId: Promise<string> | undefined;

  return {
    DescribeStreamCommand: async (input, forward) => {
      const real = await forward({ StreamArn: input.StreamArn });
      const description = real.StreamDescription!;
      realShardId ??= Promise.resolve(description.Shards![0]!.ShardId!);
      const start = input.ExclusiveStartShardId
        ? shards.findIndex((shard) => shard.shardId === input.ExclusiveStartShardId) + 1
        : 0;
      const page = shards.slice(start, start + pageSize);
      const more = start + pageSize < shards.length;
      const realStart = description.Shards![0]!.SequenceNumberRange?.StartingSequenceNumber;
      return {
        ...real,
        StreamDescription: {
          ...description,
          Shards: page.map((shard): Shard => ({
            ShardId: shard.shardId,
            ...(shard.parentShardId ? { ParentShardId: shard.parentShardId } : {}),
            SequenceNumberRange: {
              StartingSequenceNumber: shard.startingAfter
                ? String(BigInt(shard.startingAfter) + 1n)
                : realStart,
              ...(shard.endingSequenceNumber
                ? { EndingSequenceNumber: shard.endingSequenceNumber }
                : {}),
            },
          })),
          ...(more ? { LastEvaluatedShardId: page.at(-1)!.shardId } : {}),
        },
      };
    },
    GetShardIteratorCommand: async (input, forward) => {
      const shard = byId.get(input.ShardId!);
      if (!shard) return forward(input);
      const end = shard.endingSequenceNumber;
      const after = input.SequenceNumber;
      if (end !== undefined && after !== undefined && BigInt(after) >= BigInt(end)) {
        return { ShardIterator: tokenFor({ shard, iterator: undefined }), $metadata: {} };
      }
      if (!realShardId) throw new Error('syntheticShards: DescribeStream was not called first');
      const real = await forward({ ...input, ShardId: await realShardId });
      return { ...real, ShardIterator: tokenFor({ shard, iterator: real.ShardIterator }) };
    },
    GetRecordsCommand: async (input, forward) => {
      const position = positions.get(input.ShardIterator!);
      if (!position) return forward(input);
      const { shard, iterator } = position;
      if (iterator === undefined) return { Records: [], $metadata: {} };
      const real = await forward({ ...input, ShardIterator: iterator });
      const end =
        shard.endingSequenceNumber === undefined ? undefined : BigInt(shard.endingSequenceNumber);
      const start = shard.startingAfter === undefined ? undefined : BigInt(shard.startingAfter);
      const records = (real.Records ?? []).filter((record) => {
        const sequence = BigInt(record.dynamodb!.SequenceNumber!);
        return (
          (end === undefined || sequence <= end) &&
          (start === undefined || sequence > start) &&
          shard.holds(record)
        );
      });
      const ended =
        end !== undefined &&
        (real.Records ?? []).some((record) => BigInt(record.dynamodb!.SequenceNumber!) >= end);
      return {
        ...real,
        Records: records,
        NextShardIterator:
          ended || real.NextShardIterator === undefined
            ? undefined
            : tokenFor({ shard, iterator: real.NextShardIterator }),
      };
    },
  };
}

/** The events table's key of a record: "streamId#version". */
export function keyOf(record: StreamRecord): string {
  const keys = record.dynamodb?.Keys;
  return `${keys?.streamId?.S}#${keys?.version?.N}`;
}

/** The event stream a record belongs to. */
export function streamIdOf(record: StreamRecord): string {
  return record.dynamodb?.Keys?.streamId?.S ?? '';
}
