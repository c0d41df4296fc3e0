import { LeaseTable } from '../../../lib/projections/streams/lease-table.js';
import {
  gate,
  silentLogger,
  type StreamFixture,
  streamFixture,
  waitFor,
} from './stream-test-kit.js';

let fixture: StreamFixture;

beforeEach(async () => {
  fixture = await streamFixture();
});
afterEach(() => fixture.close());

/** Another worker taking the lease over, as a runner does once it finds the lease expired. */
async function takeOverAs(workerId: string, shardId: string) {
  const lease = await fixture.lease(shardId);
  const taken = await new LeaseTable(fixture.client, fixture.leaseTable).take(lease!, workerId);
  expect(taken).toMatchObject({ leaseOwner: workerId });
  return taken!;
}

describe('StreamRunner: fencing', () => {
  it('a runner whose lease was taken during a batch cannot checkpoint it, and hands the shard nothing more', async () => {
    await fixture.appendEvents(12);
    const shardId = await fixture.realShardId();
    const logger = silentLogger();
    const inHandler = gate();
    const release = gate();
    let calls = 0;
    const runner = fixture.runner({
      // No renewal during the test: the checkpoint is the write that meets the intruder.
      failoverTimeMs: 60_000,
      renewIntervalMs: 30_000,
      maxRecordsPerCall: 5,
      logger,
      handler: async () => {
        calls += 1;
        inHandler.open();
        await release.opened;
      },
    });
    await runner.start();
    await inHandler.opened;

    const taken = await takeOverAs('intruder', shardId);
    release.open();
    await waitFor('the runner to give the shard up', () =>
      logger.messages.some((entry) =>
        entry.message.startsWith(`Lost the lease of shard ${shardId}`),
      ),
    );
    await fixture.appendEvents(3);

    expect(await fixture.lease(shardId)).toEqual(taken);
    expect(taken.checkpoint).toBe('TRIM_HORIZON');
    expect(calls).toBe(1);
    expect(runner.status().leases).toEqual([{ shardId, checkpoint: 'TRIM_HORIZON', owned: false }]);
    expect(logger.messages).toContainEqual({
      level: 'warn',
      message: `Lost the lease of shard ${shardId} (another worker wrote the lease): no longer reading it.`,
    });
  });

  it('a runner that finds at renewal that its lease was taken stops at once, even while it waits to retry a failing batch', async () => {
    await fixture.appendEvents(3);
    const shardId = await fixture.realShardId();
    const logger = silentLogger();
    const failed = gate();
    let calls = 0;
    const runner = fixture.runner({
      logger,
      retryBackoffMs: () => 20_000,
      handler: () => {
        calls += 1;
        failed.open();
        return Promise.reject(new Error('projection down'));
      },
    });
    await runner.start();
    await failed.opened;

    const takenAt = performance.now();
    await takeOverAs('intruder', shardId);
    await waitFor('the runner to give the shard up', () => !runner.status().leases[0]!.owned);
    await waitFor('the consumer to end', () =>
      logger.messages.some((entry) =>
        entry.message.startsWith(`Lost the lease of shard ${shardId}`),
      ),
    );
    const stopStartedAt = performance.now();
    await runner.stop();

    // Well before the 20 s backoff would have ended, and the stop did not wait for it either.
    expect(stopStartedAt - takenAt).toBeLessThan(2_000);
    expect(performance.now() - stopStartedAt).toBeLessThan(1_000);
    expect(calls).toBe(1);
    expect(await fixture.lease(shardId)).toMatchObject({
      leaseOwner: 'intruder',
      checkpoint: 'TRIM_HORIZON',
    });
  });
});
