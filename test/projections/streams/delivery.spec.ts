import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { ShardRecords } from '../../../lib/projections/streams/stream-records.js';
import { keyOf } from './stream-alterations.js';
import { sequenceOf, type StreamFixture, streamFixture, waitFor } from './stream-test-kit.js';

let fixture: StreamFixture;

beforeEach(async () => {
  fixture = await streamFixture();
});
afterEach(() => fixture.close());

/** A handler that keeps what it was given. */
function collector() {
  const batches: ShardRecords[] = [];
  const records = () => batches.flatMap((batch) => batch.records);
  return {
    batches,
    records,
    keys: () => records().map(keyOf),
    handler: (batch: ShardRecords) => {
      batches.push(batch);
      return Promise.resolve();
    },
  };
}

describe('StreamRunner: delivery and restart', () => {
  it('delivers every record of the stream in order, checkpoints after the last, and a restarted runner reads none of them again', async () => {
    const written = await fixture.appendEvents(60);
    // A removal has no new image: it is not handed over, but the checkpoint moves past it.
    const [removedStream, removedVersion] = written.at(-1)!.split('#');
    await fixture.client.send(
      new DeleteItemCommand({
        TableName: fixture.eventsTable,
        Key: { streamId: { S: removedStream! }, version: { N: removedVersion! } },
      }),
    );
    const shardId = await fixture.realShardId();
    const lastSequence = await lastSequenceOfShard();
    const first = collector();
    const runner = fixture.runner({ handler: first.handler, maxRecordsPerCall: 25 });

    await runner.start();
    await waitFor('the 60 records', () => first.records().length >= 60);
    // 61 records in batches of 25: the last batch holds 10 events and the removal.
    await waitFor(
      'the checkpoint after the removal',
      async () => (await fixture.lease(shardId))?.checkpoint === lastSequence,
    );

    expect(first.keys()).toEqual(written);
    expect(first.batches.map((batch) => batch.records.length)).toEqual([25, 25, 10]);
    expect(first.batches.every((batch) => batch.shardId === shardId)).toBe(true);
    const sequences = first.records().map((record) => BigInt(sequenceOf(record)));
    expect(sequences.every((sequence, i) => i === 0 || sequence > sequences[i - 1]!)).toBe(true);
    expect(BigInt(lastSequence)).toBeGreaterThan(sequences.at(-1)!);
    // Caught up: the next read found nothing new.
    await waitFor('no lag', () => runner.status().leases[0]?.lagMs === 0);
    expect(runner.status()).toEqual({
      workerId: runner.workerId,
      leases: [{ shardId, checkpoint: lastSequence, owned: true, lagMs: 0 }],
    });

    await runner.stop();
    const more = await fixture.appendEvents(10);
    const second = collector();
    const restarted = fixture.runner({ handler: second.handler });
    await restarted.start();
    await waitFor('the 10 new records', () => second.records().length >= 10);

    const readAgain = second.keys().filter((key) => written.includes(key));
    expect(readAgain).toHaveLength(0);
    expect(second.keys()).toEqual(more);
    await restarted.stop();
  });

  it('on a graceful stop, releases its leases: a runner already running takes them at once, well before the failover time', async () => {
    const shardId = await fixture.realShardId();
    const failoverTimeMs = 3_000;
    const firstDelivered = collector();
    const secondDelivered = collector();
    const first = fixture.runner({ failoverTimeMs, handler: firstDelivered.handler });
    const second = fixture.runner({ failoverTimeMs, handler: secondDelivered.handler });
    await first.start();
    await second.start();
    const written = await fixture.appendEvents(5);
    await waitFor('the first runner to deliver', () => firstDelivered.records().length >= 5);
    // One lease, two workers: the share is one each, and the owner is at it, so nothing is stolen. Two more
    // renewals of the owner's span more than one lease pass of the other.
    const counter = (await fixture.lease(shardId))!.leaseCounter;
    await waitFor(
      'two more renewals',
      async () => (await fixture.lease(shardId))!.leaseCounter >= counter + 2,
    );
    expect(second.status().leases).toEqual([expect.objectContaining({ shardId, owned: false })]);
    expect(await fixture.lease(shardId)).toMatchObject({
      leaseOwner: first.workerId,
      handoffRequestedBy: undefined,
    });

    const stoppedAt = performance.now();
    await first.stop();
    // Released: unowned, unless the other runner's pass came in between.
    expect([undefined, second.workerId]).toContain((await fixture.lease(shardId))?.leaseOwner);
    await waitFor('the second runner to own the lease', () =>
      second.status().leases.some((lease) => lease.owned),
    );
    const takenAfterMs = performance.now() - stoppedAt;

    expect(takenAfterMs).toBeLessThan(failoverTimeMs / 3);
    expect(first.status().leases.every((lease) => !lease.owned)).toBe(true);
    const more = await fixture.appendEvents(3);
    await waitFor('the second runner to deliver', () => secondDelivered.records().length >= 3);
    expect(secondDelivered.keys()).toEqual(more);
    expect(firstDelivered.keys().slice(-5)).toEqual(written);
  });
});

async function lastSequenceOfShard(): Promise<string> {
  const streams = fixture.streamsClient();
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: fixture.streamArn,
      ShardId: await fixture.realShardId(),
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const { Records = [] } = await streams.send(
    new GetRecordsCommand({ ShardIterator, Limit: 1000 }),
  );
  return sequenceOf(Records.at(-1)!);
}
