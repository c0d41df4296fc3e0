import type { ShardRecordsHandler } from '../../../lib/projections/streams/stream-records.js';
import type { StreamRunner } from '../../../lib/projections/streams/stream-runner.js';
import { keyOf, streamIdOf, syntheticShards } from './stream-alterations.js';
import { sequenceOf, type StreamFixture, streamFixture, waitFor } from './stream-test-kit.js';

let fixture: StreamFixture;

beforeEach(async () => {
  fixture = await streamFixture();
});
afterEach(() => fixture.close());

/**
 * Watches the runners from outside: what each handler call received and from which worker, whether a shard was ever
 * in two workers' handlers at once, and (sampled) whether two runners ever believed they owned the same shard.
 */
function ownershipWatch(runners: () => readonly StreamRunner[]) {
  const inHandler = new Map<string, string>();
  const deliveries: { shardId: string; workerId: string; key: string; sequence: bigint }[] = [];
  const violations: string[] = [];
  const sampler = setInterval(() => {
    const owners = new Map<string, string[]>();
    for (const runner of runners()) {
      for (const lease of runner.status().leases) {
        if (lease.owned)
          owners.set(lease.shardId, [...(owners.get(lease.shardId) ?? []), runner.workerId]);
      }
    }
    for (const [shardId, workers] of owners) {
      if (workers.length > 1)
        violations.push(`${shardId} owned by ${workers.join(' and ')} at once`);
    }
  }, 10);
  return {
    deliveries,
    violations,
    handlerFor(workerId: string): ShardRecordsHandler {
      return async ({ shardId, records }) => {
        const other = inHandler.get(shardId);
        if (other !== undefined)
          violations.push(`${shardId} in the handlers of ${other} and ${workerId}`);
        inHandler.set(shardId, workerId);
        // A handler that takes a while, so that a second reader would overlap it.
        await new Promise((resolve) => setTimeout(resolve, 15));
        for (const record of records) {
          deliveries.push({
            shardId,
            workerId,
            key: keyOf(record),
            sequence: BigInt(sequenceOf(record)),
          });
        }
        if (inHandler.get(shardId) === workerId) inHandler.delete(shardId);
      };
    },
    delivered: () => new Set(deliveries.map((delivery) => delivery.key)),
    /** Each shard's deliveries in order: strictly increasing sequence numbers, so nothing twice. */
    inShardOrder(): boolean {
      const last = new Map<string, bigint>();
      return deliveries.every(({ shardId, sequence }) => {
        const previous = last.get(shardId);
        last.set(shardId, sequence);
        return previous === undefined || sequence > previous;
      });
    },
    stop: () => clearInterval(sampler),
  };
}

function ownedCount(runner: StreamRunner): number {
  return runner.status().leases.filter((lease) => lease.owned).length;
}

describe('StreamRunner: competing runners on one lease table', () => {
  it("moto's one shard: one owner at a time as owners stop; every record delivered, in order, never by two at once", async () => {
    const runners: StreamRunner[] = [];
    const watch = ownershipWatch(() => runners);
    try {
      for (const name of ['a', 'b', 'c']) {
        const workerId = `runner-${name}`;
        runners.push(
          fixture.runner({ workerId, handler: watch.handlerFor(workerId), maxRecordsPerCall: 4 }),
        );
      }
      await Promise.all(runners.map((runner) => runner.start()));
      const written = await fixture.appendEvents(12);
      await waitFor('the first wave', () => watch.delivered().size >= 12);

      // Each owner in turn stops while events are being written; the next one takes over at once.
      for (let wave = 0; wave < 2; wave++) {
        const owner = runners.find((runner) => ownedCount(runner) === 1)!;
        const [more] = await Promise.all([fixture.appendEvents(12), owner.stop()]);
        written.push(...more);
        runners.splice(runners.indexOf(owner), 1);
        await waitFor(`wave ${wave + 2}`, () => watch.delivered().size >= written.length);
      }

      expect(watch.violations).toEqual([]);
      expect(watch.deliveries.map((delivery) => delivery.key)).toEqual(written);
      expect(watch.inShardOrder()).toBe(true);
      expect(new Set(watch.deliveries.map((delivery) => delivery.workerId)).size).toBe(3);
    } finally {
      watch.stop();
    }
  });

  it('six shards (an AWS-shaped stream): one runner takes all, two more join and the three settle at two each; every record delivered, in order, never by two at once', async () => {
    const shardCount = 6;
    const shards = Array.from({ length: shardCount }, (_, i) => ({
      shardId: `shardId-0000000000000000000${i}-synthetic`,
      holds: (record: Parameters<typeof keyOf>[0]) =>
        Number(streamIdOf(record).split('-')[1]) % shardCount === i,
    }));
    const runners: StreamRunner[] = [];
    const watch = ownershipWatch(() => runners);
    try {
      for (const name of ['a', 'b', 'c']) {
        const workerId = `runner-${name}`;
        runners.push(
          fixture.runner({
            workerId,
            handler: watch.handlerFor(workerId),
            streams: fixture.streamsClient(syntheticShards(shards)),
            idleDelayMs: 100,
            maxRecordsPerCall: 10,
          }),
        );
      }
      // The first takes every shard; the two others then take theirs from it, one hand-off per pass.
      await runners[0]!.start();
      expect(ownedCount(runners[0]!)).toBe(shardCount);
      const written = await fixture.appendEvents(36, { streams: 12 });
      await Promise.all(runners.slice(1).map((runner) => runner.start()));

      await waitFor('two shards each', () => runners.every((runner) => ownedCount(runner) === 2), {
        timeoutMs: 15_000,
      });
      written.push(...(await fixture.appendEvents(24, { streams: 12 })));
      await waitFor('every record', () => watch.delivered().size >= written.length);

      expect(watch.violations).toEqual([]);
      expect(watch.delivered()).toEqual(new Set(written));
      expect(watch.inShardOrder()).toBe(true);
      expect(new Set(watch.deliveries.map((delivery) => delivery.shardId)).size).toBe(shardCount);
    } finally {
      watch.stop();
    }
  });
});
