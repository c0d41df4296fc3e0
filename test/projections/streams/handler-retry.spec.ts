import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { RequestLog } from '../../support/request-log.js';
import { keyOf } from './stream-alterations.js';
import {
  sequenceOf,
  silentLogger,
  type StreamFixture,
  streamFixture,
  waitFor,
} from './stream-test-kit.js';

let fixture: StreamFixture;

// A fixture per test: a runner holds the shard's lease until its fixture closes.
beforeEach(async () => {
  fixture = await streamFixture();
});
afterEach(() => fixture.close());

describe('StreamRunner: a failing handler', () => {
  it('is given the same batch again with backoff until it succeeds; the lease is renewed meanwhile, the batch checkpointed once', async () => {
    const written = await fixture.appendEvents(8);
    const shardId = await fixture.realShardId();
    const requests = RequestLog.attachTo(fixture.client);
    const checkpointWrites = () =>
      requests.requests.filter(
        (request) =>
          request.command === 'UpdateItemCommand' &&
          String(request.input.UpdateExpression).includes('#checkpoint ='),
      ).length;
    const logger = silentLogger();
    const attempts: StreamRecord[][] = [];
    const backoffs: number[] = [];
    const countersSeen: number[] = [];
    const runner = fixture.runner({
      logger,
      retryBackoffMs: (attempt) => {
        backoffs.push(attempt);
        // Longer than two renewal intervals, so that the lease is seen renewed while the batch waits.
        return 600;
      },
      handler: async ({ records }) => {
        attempts.push([...records]);
        countersSeen.push((await fixture.lease(shardId))!.leaseCounter);
        if (attempts.length <= 2) throw new Error(`projection unavailable (${attempts.length})`);
      },
    });

    await runner.start();
    await waitFor(
      'the checkpoint after the batch',
      async () => (await fixture.lease(shardId))?.checkpoint !== 'TRIM_HORIZON',
    );

    expect(attempts).toHaveLength(3);
    for (const attempt of attempts) expect(attempt.map(keyOf)).toEqual(written);
    expect(backoffs).toEqual([1, 2]);
    expect(countersSeen[1]! - countersSeen[0]!).toBeGreaterThanOrEqual(1);
    expect(countersSeen[2]! - countersSeen[1]!).toBeGreaterThanOrEqual(1);
    expect(checkpointWrites()).toBe(1);
    expect((await fixture.lease(shardId))!.checkpoint).toBe(sequenceOf(attempts[2]!.at(-1)!));
    expect(
      logger.messages.filter((entry) => entry.level === 'warn').map((entry) => entry.message),
    ).toEqual([
      `Shard ${shardId}: the handler failed on 8 record(s) (attempt 1); retrying the same batch: ` +
        'Error: projection unavailable (1)',
      `Shard ${shardId}: the handler failed on 8 record(s) (attempt 2); retrying the same batch: ` +
        'Error: projection unavailable (2)',
    ]);
  });

  it('reports the lag of a batch that keeps failing as growing, from its oldest record, until it is handled', async () => {
    await fixture.appendEvents(3);
    const lags: (number | undefined)[] = [];
    const runner = fixture.runner({
      logger: silentLogger(),
      retryBackoffMs: () => 600,
      handler: () => {
        lags.push(runner.status().leases[0]?.lagMs);
        if (lags.length <= 2) throw new Error('projection unavailable');
        return Promise.resolve();
      },
    });

    await runner.start();
    await waitFor('the batch handled', () => lags.length === 3);
    await waitFor('no lag', () => runner.status().leases[0]?.lagMs === 0);

    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(lags[1]).toBeGreaterThanOrEqual(lags[0]! + 500);
    expect(lags[2]).toBeGreaterThanOrEqual(lags[1]! + 500);
  });
});
