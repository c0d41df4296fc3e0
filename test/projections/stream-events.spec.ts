import { fileURLToPath } from 'node:url';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { SNAPSHOT_SORT_KEY } from '../../lib/index.js';
import { storedEventsOf } from '../../lib/projections/index.js';
import { nodeWithout } from '../support/without-packages.js';

const eventImage = (version: number) => ({
  streamId: { S: 'Account#a-1' },
  version: { N: String(version) },
  type: { S: 'MoneyDeposited' },
  schemaVersion: { N: '1' },
  payload: { S: '{"amount":5}' },
  metadata: { S: '{}' },
  eventId: { S: `e-${version}` },
  recordedAt: { S: '2026-12-01T10:00:00.000Z' },
});
const record = (
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  image?: Record<string, unknown>,
  sequence = '1',
) =>
  ({
    eventName,
    dynamodb: { SequenceNumber: sequence, ...(image ? { NewImage: image } : {}) },
  }) as StreamRecord;

describe('storedEventsOf: the events among stream records', () => {
  it('decodes inserted events with the store’s own decoder', () => {
    expect(storedEventsOf([record('INSERT', eventImage(1))])).toEqual([
      {
        streamId: 'Account#a-1',
        version: 1,
        type: 'MoneyDeposited',
        schemaVersion: 1,
        payload: { amount: 5 },
        metadata: {},
        eventId: 'e-1',
        recordedAt: new Date('2026-12-01T10:00:00.000Z'),
      },
    ]);
  });

  it('leaves out snapshot items (inserted, then modified), changes and removals', () => {
    const snapshot = {
      streamId: { S: 'Account#a-1' },
      version: { N: String(SNAPSHOT_SORT_KEY) },
      state: { S: '{}' },
    };

    expect(
      storedEventsOf([
        record('INSERT', snapshot),
        record('MODIFY', snapshot),
        record('REMOVE'),
        record('MODIFY', eventImage(2)),
      ]),
    ).toEqual([]);
  });

  it('skips, and reports, an item that is not an event of this store instead of failing', () => {
    const skipped: string[] = [];

    const events = storedEventsOf(
      [
        record('INSERT', { id: { S: 'something else' } }, '7'),
        record('INSERT', eventImage(3), '8'),
      ],
      (found) => skipped.push(found.dynamodb!.SequenceNumber!),
    );

    expect(events.map((event) => event.version)).toEqual([3]);
    expect(skipped).toEqual(['7']);
  });
});

describe('the projections entry', () => {
  it('loads without the Streams client, an optional peer only a runner needs', async () => {
    const entry = fileURLToPath(new URL('../../lib/projections/index.ts', import.meta.url));

    const { stdout } = await nodeWithout(
      ['@aws-sdk/client-dynamodb-streams'],
      [
        '--input-type=module',
        '-e',
        `const { DynamoProjectionsModule, ProjectionProcessor } = await import(${JSON.stringify(entry)});
         console.log(typeof DynamoProjectionsModule.forRoot, typeof ProjectionProcessor);`,
      ],
    );

    expect(stdout).toBe('function function\n');
  });
});
