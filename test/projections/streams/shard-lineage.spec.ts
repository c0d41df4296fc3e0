import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { type Lease, newLease } from '../../../lib/projections/streams/lease-item.js';
import { SHARD_END } from '../../../lib/projections/streams/lease-table-layout.js';
import { LeaseTable } from '../../../lib/projections/streams/lease-table.js';
import { leasesReadyToRead } from '../../../lib/projections/streams/shard-lineage.js';
import type { StreamRunner } from '../../../lib/projections/streams/stream-runner.js';
import { keyOf, streamIdOf, syntheticShards } from './stream-alterations.js';
import { gate, sequenceOf, type StreamFixture, streamFixture, waitFor } from './stream-test-kit.js';

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026-01-01T00:00:00.000';

function lease(shardId: string, parents: string[] = [], checkpoint = 'TRIM_HORIZON'): Lease {
  return { ...newLease(ARN, shardId, parents, new Date(0)), checkpoint };
}

function ready(leases: Lease[], listed: string[]): string[] {
  return leasesReadyToRead(leases, new Set(listed)).map((each) => each.shardId);
}

describe('leasesReadyToRead: a shard is read only after its parents', () => {
  it('reads shards without parents at once, and never a shard already at its end', () => {
    expect(
      ready([lease('a'), lease('b', [], SHARD_END), lease('c', [], '42')], ['a', 'b', 'c']),
    ).toEqual(['a', 'c']);
  });

  it('holds children back until their parent reached SHARD_END', () => {
    const children = [lease('c1', ['p']), lease('c2', ['p'])];
    expect(ready([lease('p', [], '42'), ...children], ['p', 'c1', 'c2'])).toEqual(['p']);
    expect(ready([lease('p', [], SHARD_END), ...children], ['p', 'c1', 'c2'])).toEqual([
      'c1',
      'c2',
    ]);
  });

  it('holds a child back while its listed parent has no lease yet', () => {
    expect(ready([lease('c', ['p'])], ['p', 'c'])).toEqual([]);
  });

  it('does not hold a child back for a parent trimmed from the stream, leased or not', () => {
    expect(ready([lease('c', ['p'])], ['c'])).toEqual(['c']);
    // The trimmed parent's own lease stays readable: a worker's shard list may be older than a lease another
    // worker created, so an unlisted shard is not taken for a trimmed one. Reading it ends it (ResourceNotFound).
    expect(ready([lease('p', [], '42'), lease('c', ['p'])], ['c'])).toEqual(['p', 'c']);
  });

  it('waits for every parent (a merge has two)', () => {
    const child = lease('c', ['p1', 'p2']);
    const listed = ['p1', 'p2', 'c'];
    expect(ready([lease('p1', [], SHARD_END), lease('p2', [], '7'), child], listed)).toEqual([
      'p2',
    ]);
    expect(ready([lease('p1', [], SHARD_END), lease('p2', [], SHARD_END), child], listed)).toEqual([
      'c',
    ]);
  });
});

describe('StreamRunner on a stream whose shard split (an AWS-shaped DescribeStream)', () => {
  let fixture: StreamFixture;

  beforeEach(async () => {
    fixture = await streamFixture();
  });
  afterEach(() => fixture.close());

  async function sequencesOfRealShard(): Promise<string[]> {
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
    return Records.map(sequenceOf);
  }

  it('reads the children only once the parent is at SHARD_END, the parent read by one runner, its children by both', async () => {
    const beforeSplit = await fixture.appendEvents(10, { streams: 4 });
    const endingSequenceNumber = (await sequencesOfRealShard()).at(-1)!;
    const afterSplit = await fixture.appendEvents(20, { streams: 4 });
    const streamIndex = (record: StreamRecord) => Number(streamIdOf(record).split('-')[1]);
    const parent = 'shardId-00000001700000000000-parent';
    const even = 'shardId-00000001700000000001-even';
    const odd = 'shardId-00000001700000000002-odd';
    // Children listed before their parent, over two pages.
    const shards = [
      {
        shardId: even,
        parentShardId: parent,
        startingAfter: endingSequenceNumber,
        holds: (r: StreamRecord) => streamIndex(r) % 2 === 0,
      },
      { shardId: parent, endingSequenceNumber, holds: () => true },
      {
        shardId: odd,
        parentShardId: parent,
        startingAfter: endingSequenceNumber,
        holds: (r: StreamRecord) => streamIndex(r) % 2 === 1,
      },
    ];
    const deliveries: { shardId: string; key: string }[] = [];
    const childBeforeParentEnded: string[] = [];
    const parentBlocked = gate();
    const parentReleased = gate();
    const runners: StreamRunner[] = ['a', 'b'].map((name) =>
      fixture.runner({
        workerId: `runner-${name}`,
        streams: fixture.streamsClient(syntheticShards(shards)),
        maxRecordsPerCall: 5,
        handler: async ({ shardId, records }) => {
          if (shardId === parent) {
            parentBlocked.open();
            await parentReleased.opened;
          } else if ((await fixture.lease(parent))?.checkpoint !== SHARD_END) {
            childBeforeParentEnded.push(shardId);
          }
          deliveries.push(...records.map((record) => ({ shardId, key: keyOf(record) })));
        },
      }),
    );
    await Promise.all(runners.map((runner) => runner.start()));
    await parentBlocked.opened;

    // While the parent is being read, over two more lease passes, nobody takes a child.
    const counter = (await fixture.lease(parent))!.leaseCounter;
    await waitFor('two renewals of the parent', async () => {
      return (await fixture.lease(parent))!.leaseCounter >= counter + 2;
    });
    for (const child of [even, odd]) {
      expect(await fixture.lease(child)).toMatchObject({
        leaseOwner: undefined,
        checkpoint: 'TRIM_HORIZON',
      });
    }
    parentReleased.open();
    await waitFor('every record', () => deliveries.length >= 30);

    expect(childBeforeParentEnded).toEqual([]);
    const firstChild = deliveries.findIndex((delivery) => delivery.shardId !== parent);
    expect(deliveries.slice(0, firstChild).map((delivery) => delivery.key)).toEqual(beforeSplit);
    const keysOf = (shardId: string) =>
      deliveries.filter((delivery) => delivery.shardId === shardId).map((delivery) => delivery.key);
    expect(keysOf(parent)).toEqual(beforeSplit);
    const streamOf = (key: string) => Number(key.split('#')[0]!.split('-')[1]);
    expect(keysOf(even)).toEqual(afterSplit.filter((key) => streamOf(key) % 2 === 0));
    expect(keysOf(odd)).toEqual(afterSplit.filter((key) => streamOf(key) % 2 === 1));
    expect(await fixture.lease(parent)).toMatchObject({
      checkpoint: SHARD_END,
      leaseOwner: undefined,
    });
    await waitFor('the children shared between the runners', () =>
      runners.every((runner) => runner.status().leases.filter((each) => each.owned).length === 1),
    );
  });

  it('reads a child at once when its parent was trimmed from the stream', async () => {
    const written = await fixture.appendEvents(6);
    const child = 'shardId-00000001700000000003-child';
    const delivered: string[] = [];
    const runner = fixture.runner({
      streams: fixture.streamsClient(
        syntheticShards([
          {
            shardId: child,
            parentShardId: 'shardId-00000001600000000000-trimmed',
            holds: () => true,
          },
        ]),
      ),
      handler: ({ records }) => {
        delivered.push(...records.map(keyOf));
        return Promise.resolve();
      },
    });

    await runner.start();

    expect(runner.status().leases).toEqual([
      expect.objectContaining({ shardId: child, owned: true }),
    ]);
    await waitFor('every record', () => delivered.length >= 6);
    expect(delivered).toEqual(written);
    expect(await fixture.lease(child)).toMatchObject({
      parentShardIds: ['shardId-00000001600000000000-trimmed'],
    });
  });

  it('deletes the finished lease of a shard that left the stream, and keeps those still listed', async () => {
    const written = await fixture.appendEvents(4);
    const leases = new LeaseTable(fixture.client, fixture.leaseTable);
    const gone = 'shardId-00000001500000000000-gone';
    const finished = 'shardId-00000001600000000000-finished';
    const child = 'shardId-00000001700000000004-child';
    for (const shardId of [gone, finished]) {
      await leases.create({
        ...newLease(fixture.streamArn, shardId, [], new Date()),
        checkpoint: SHARD_END,
      });
    }
    const delivered: string[] = [];
    const runner = fixture.runner({
      streams: fixture.streamsClient(
        syntheticShards([
          { shardId: finished, endingSequenceNumber: '1', holds: () => false },
          { shardId: child, parentShardId: finished, holds: () => true },
        ]),
      ),
      handler: ({ records }) => {
        delivered.push(...records.map(keyOf));
        return Promise.resolve();
      },
    });

    await runner.start();

    expect(await fixture.lease(gone)).toBeUndefined();
    expect(await fixture.lease(finished)).toMatchObject({ checkpoint: SHARD_END });
    await waitFor('every record', () => delivered.length >= 4);
    expect(delivered).toEqual(written);
  });
});
