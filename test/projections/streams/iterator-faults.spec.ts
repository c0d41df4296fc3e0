import {
  ExpiredIteratorException,
  type GetShardIteratorInput,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { failGetRecordsOnce, keyOf, type StreamsAlterations } from './stream-alterations.js';
import {
  sequenceOf,
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

/** The fault, and a log of the GetShardIterator requests the runner made. */
function withIteratorLog(fault: StreamsAlterations) {
  const iterators: Pick<GetShardIteratorInput, 'ShardIteratorType' | 'SequenceNumber'>[] = [];
  return {
    iterators,
    alterations: {
      ...fault,
      GetShardIteratorCommand: (input, forward) => {
        iterators.push({
          ShardIteratorType: input.ShardIteratorType,
          SequenceNumber: input.SequenceNumber,
        });
        return forward(input);
      },
    } satisfies StreamsAlterations,
  };
}

describe('StreamRunner: shard iterator faults', () => {
  it('an expired iterator: reads on from the checkpoint with a fresh one, nothing lost, nothing twice', async () => {
    const written = await fixture.appendEvents(30);
    const { iterators, alterations } = withIteratorLog(
      failGetRecordsOnce(
        2,
        () => new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} }),
      ),
    );
    const delivered: StreamRecord[] = [];
    const runner = fixture.runner({
      streams: fixture.streamsClient(alterations),
      maxRecordsPerCall: 10,
      handler: ({ records }) => {
        delivered.push(...records);
        return Promise.resolve();
      },
    });

    await runner.start();
    await waitFor('every record', () => delivered.length >= 30);

    expect(delivered.map(keyOf)).toEqual(written);
    expect(iterators).toEqual([
      { ShardIteratorType: 'TRIM_HORIZON', SequenceNumber: undefined },
      { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sequenceOf(delivered[9]!) },
    ]);
  });

  it('records trimmed beyond retention: says so loudly and reads on from TRIM_HORIZON', async () => {
    const written = await fixture.appendEvents(20);
    const logger = silentLogger();
    const { iterators, alterations } = withIteratorLog(
      failGetRecordsOnce(
        2,
        () =>
          new TrimmedDataAccessException({
            message: 'Requested data is beyond the trim horizon',
            $metadata: {},
          }),
      ),
    );
    const delivered: StreamRecord[] = [];
    const runner = fixture.runner({
      streams: fixture.streamsClient(alterations),
      maxRecordsPerCall: 10,
      logger,
      handler: ({ records }) => {
        delivered.push(...records);
        return Promise.resolve();
      },
    });

    await runner.start();
    // On AWS the oldest records left are newer than the checkpoint; moto trims nothing, so all come again here.
    await waitFor('the stream read again from its oldest record', () => delivered.length >= 30);

    expect(delivered.map(keyOf)).toEqual([...written.slice(0, 10), ...written]);
    expect(iterators.map((iterator) => iterator.ShardIteratorType)).toEqual([
      'TRIM_HORIZON',
      'TRIM_HORIZON',
    ]);
    const errors = logger.messages.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(
      `records after checkpoint ${sequenceOf(delivered[9]!)} are beyond the stream's 24-hour retention`,
    );
    expect(errors[0]!.message).toContain('rebuild the projections from the events table');
  });

  it('an iterator moto cannot read (it answers HTML with a 500): warns, waits, reads on from the checkpoint', async () => {
    const written = await fixture.appendEvents(20);
    const logger = silentLogger();
    let calls = 0;
    const { iterators, alterations } = withIteratorLog({
      GetRecordsCommand: (input, forward) =>
        forward(++calls === 2 ? { ...input, ShardIterator: 'not-an-iterator' } : input),
    });
    const delivered: StreamRecord[] = [];
    const runner = fixture.runner({
      streams: fixture.streamsClient(alterations),
      maxRecordsPerCall: 10,
      logger,
      handler: ({ records }) => {
        delivered.push(...records);
        return Promise.resolve();
      },
    });

    await runner.start();
    await waitFor('every record', () => delivered.length >= 20);

    expect(delivered.map(keyOf)).toEqual(written);
    expect(iterators.at(-1)).toEqual({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: sequenceOf(delivered[9]!),
    });
    expect(logger.messages.filter((entry) => entry.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: expect.stringContaining(
          'reading failed (attempt 1), retrying from the checkpoint',
        ),
      },
    ]);
  });
});
