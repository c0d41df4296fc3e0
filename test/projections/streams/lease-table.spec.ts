import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLeaseTable } from '../../../lib/projections/streams/create-lease-table.js';
import { newLease } from '../../../lib/projections/streams/lease-item.js';
import { LeaseTable } from '../../../lib/projections/streams/lease-table.js';
import { testClient } from '../../support/dynamodb.js';

const STREAM =
  'arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026-01-01T00:00:00.000';

let client: DynamoDBClient;
let table: LeaseTable;

beforeAll(async () => {
  client = testClient();
  const tableName = `leases-${randomUUID()}`;
  await createLeaseTable(client, tableName);
  table = new LeaseTable(client, tableName);
});
afterAll(() => client.destroy());

async function freshLease() {
  const lease = newLease(STREAM, `shardId-${randomUUID()}`, ['shardId-parent'], new Date());
  expect(await table.create(lease)).toBe(true);
  return lease;
}

describe('LeaseTable: every write conditional', () => {
  it('creates a lease once', async () => {
    const lease = await freshLease();

    expect(await table.create({ ...lease, checkpoint: '42' })).toBe(false);
    expect((await table.list(STREAM)).find((each) => each.leaseKey === lease.leaseKey)).toEqual(
      lease,
    );
  });

  it('fences a worker out once another took the lease: no renewal, checkpoint or release', async () => {
    const byA = await table.take(await freshLease(), 'a');
    const renewed = await table.renew(byA!);
    expect(renewed).toMatchObject({ leaseOwner: 'a', leaseCounter: 2 });

    // "b" saw the counter at 2 and took the lease when it stood still.
    const byB = await table.take(renewed!, 'b');
    expect(byB).toMatchObject({ leaseOwner: 'b', leaseCounter: 3 });

    expect(await table.renew(renewed!)).toBeUndefined();
    expect(await table.checkpoint(renewed!, '100')).toBeUndefined();
    expect(await table.release(renewed!)).toBeUndefined();
    expect(await table.take(renewed!, 'c')).toBeUndefined();
    expect(await table.checkpoint(byB!, '100')).toMatchObject({
      checkpoint: '100',
      leaseCounter: 4,
    });
  });

  it('a hand-off request leaves the owner renewing; it is answered by a transfer to the requester alone', async () => {
    const owned = (await table.take(await freshLease(), 'a'))!;

    expect(await table.requestHandoff(owned, 'b')).toBe(true);
    expect(await table.requestHandoff(owned, 'c')).toBe(false);
    const renewed = await table.renew(owned);
    expect(renewed).toMatchObject({ leaseOwner: 'a', handoffRequestedBy: 'b' });
    expect(await table.transfer(renewed!, 'c')).toBeUndefined();
    const transferred = await table.transfer(renewed!, 'b');

    expect(transferred).toMatchObject({ leaseOwner: 'b', handoffRequestedBy: undefined });
  });

  it('finishing a shard checkpoints SHARD_END and leaves the lease unowned; only such a lease can be deleted', async () => {
    const owned = (await table.take(await freshLease(), 'a'))!;
    expect(await table.deleteFinished(owned)).toBe(false);

    const finished = await table.finish(owned);

    expect(finished).toMatchObject({
      checkpoint: 'SHARD_END',
      leaseOwner: undefined,
      parentShardIds: ['shardId-parent'],
    });
    expect(await table.deleteFinished(finished!)).toBe(true);
    expect((await table.list(STREAM)).some((each) => each.leaseKey === owned.leaseKey)).toBe(false);
  });
});
