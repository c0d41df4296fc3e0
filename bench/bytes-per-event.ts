import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoEventStore,
  type EventMetadata,
  InMemoryEventStore,
  itemSize,
  type NewEvent,
  type PayloadCompression,
  type WireItem,
} from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import { CapacityMeter, minimumReadUnits, totals } from './support/capacity-meter.js';
import { CPU_ROUNDS, medianCpuMicros } from './support/cpu-timer.js';
import type { BenchEndpoint } from './support/local-endpoint.js';
import { orderPlaced } from './support/order-events.js';

export interface BytesPerEventRow {
  readonly event: string;
  readonly json: number;
  /** The item as the store wrote it before its current layout, sized by DynamoDB's rules. */
  readonly layout1Bytes: number;
  /** The item the store writes now, read back from the table. */
  readonly bytes: number;
  readonly ratio: number;
  readonly layout1Wcu: number;
  /** Metered from the PutItem the store sent. */
  readonly wcu: number;
  /** A strongly consistent Query of 1,000 such events: their bytes summed, rounded up to 4 KB once. */
  readonly replay1000Layout1Rcu: number;
  readonly replay1000Rcu: number;
  readonly replayRatio: number;
}

export interface CompressionCpuRow {
  readonly event: string;
  readonly compression: string;
  /** CPU of appending the event (encoding, compressing, limits) in the in-memory store, which encodes as DynamoDB's. */
  readonly appendMicros: number;
  /** CPU of reading it back (decoding, decompressing). */
  readonly readMicros: number;
}

const KB = 1024;
const SAMPLE_ACCOUNT = '7d1c2b0e-4f0a-4b8e-9a51-3f1f6f2d9c11';

interface EventCase {
  readonly label: string;
  readonly event: () => NewEvent;
  readonly compression?: PayloadCompression;
}

const deposit = (metadata: EventMetadata) => (): NewEvent => ({
  type: 'MoneyDeposited',
  schemaVersion: 2,
  payload: { accountId: SAMPLE_ACCOUNT, amountCents: 4200 },
  metadata,
  eventId: randomUUID(),
  recordedAt: new Date(),
});
const order =
  (bytes: number, lineIds = true) =>
  (): NewEvent => ({
    type: 'OrderPlaced',
    payload: orderPlaced(bytes, { lineIds }),
    eventId: randomUUID(),
    recordedAt: new Date(),
  });

const CASES: readonly EventCase[] = [
  { label: 'sample MoneyDeposited, no metadata', event: deposit({}) },
  {
    label: 'sample MoneyDeposited, correlation + causation ids',
    event: deposit({ correlationId: randomUUID(), causationId: randomUUID() }),
  },
  { label: 'OrderPlaced, 2 KB of JSON (deflate)', event: order(2 * KB) },
  {
    label: 'OrderPlaced, 2 KB of JSON (brotli)',
    event: order(2 * KB),
    compression: { algorithm: 'brotli' },
  },
  { label: 'OrderPlaced, 7.5 KB of JSON (deflate)', event: order(7.5 * KB) },
  {
    label: 'OrderPlaced, 7.5 KB of JSON (brotli)',
    event: order(7.5 * KB),
    compression: { algorithm: 'brotli' },
  },
  { label: 'OrderPlaced, 7.5 KB, lines without ids (deflate)', event: order(7.5 * KB, false) },
];

/**
 * Bytes and capacity per event, in the store's current layout against layout 1 (the one it wrote before), on the
 * sample's events and on larger JSON events, which are stored compressed.
 */
export async function measureBytesPerEvent(endpoint: BenchEndpoint): Promise<BytesPerEventRow[]> {
  const client = endpoint.newClient();
  const sizingClient = endpoint.newClient();
  const meter = CapacityMeter.attachTo(client, sizingClient);
  const tableName = await endpoint.newTable();
  const rows: BytesPerEventRow[] = [];
  try {
    for (const { label, event, compression } of CASES) {
      const store = new DynamoEventStore({ client, tableName, compression });
      const streamId = `Account#${randomUUID()}`;
      const newEvent = event();
      const written = await meter.measure(() => store.appendToStream(streamId, 0, [newEvent]));
      const { Items = [] } = await sizingClient.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'streamId = :stream',
          ExpressionAttributeValues: { ':stream': { S: streamId } },
          ConsistentRead: true,
        }),
      );
      const bytes = itemSize(Items[0]!);
      const layout1Bytes = itemSize(layout1Item(streamId, 1, newEvent));
      const replay1000Layout1Rcu = minimumReadUnits(1000 * layout1Bytes);
      const replay1000Rcu = minimumReadUnits(1000 * bytes);
      rows.push({
        event: label,
        json: JSON.stringify(newEvent.payload).length,
        layout1Bytes,
        bytes,
        ratio: bytes / layout1Bytes,
        layout1Wcu: Math.ceil(layout1Bytes / KB),
        wcu: totals(written).writeUnits,
        replay1000Layout1Rcu,
        replay1000Rcu,
        replayRatio: replay1000Rcu / replay1000Layout1Rcu,
      });
    }
    return rows;
  } finally {
    client.destroy();
    sizingClient.destroy();
  }
}

/** What compressing costs: appending and reading one event, compressed each way and not at all. */
export async function measureCompressionCpu({
  quick,
}: {
  quick: boolean;
}): Promise<CompressionCpuRow[]> {
  const rows: CompressionCpuRow[] = [];
  const iterations = quick ? 1 : 500;
  const timing = { iterations, warmup: quick ? 1 : iterations, rounds: quick ? 1 : CPU_ROUNDS };
  for (const bytes of [2 * KB, 7.5 * KB]) {
    const payload = orderPlaced(bytes);
    const compressions = {
      off: false,
      deflate: { algorithm: 'deflate' },
      brotli: { algorithm: 'brotli' },
    } as const;
    const stores = Object.fromEntries(
      Object.entries(compressions).map(([name, compression]) => [
        name,
        new InMemoryEventStore({ compression }),
      ]),
    ) as Record<keyof typeof compressions, InMemoryEventStore>;
    const append = (store: InMemoryEventStore) => () =>
      store.appendToStream(`Order#${randomUUID()}`, 0, [{ type: 'OrderPlaced', payload }]);
    const streamIds = Object.fromEntries(
      await Promise.all(
        Object.entries(stores).map(async ([name, store]) => {
          const streamId = `Order#${randomUUID()}`;
          await store.appendToStream(streamId, 0, [{ type: 'OrderPlaced', payload }]);
          return [name, streamId];
        }),
      ),
    ) as Record<keyof typeof compressions, string>;
    const read = (name: keyof typeof compressions) => () =>
      lastValueFrom(stores[name].readStream(streamIds[name]).pipe(toArray()));
    const appendMicros = await medianCpuMicros(
      { off: append(stores.off), deflate: append(stores.deflate), brotli: append(stores.brotli) },
      timing,
    );
    const readMicros = await medianCpuMicros(
      { off: read('off'), deflate: read('deflate'), brotli: read('brotli') },
      timing,
    );
    for (const name of ['off', 'deflate', 'brotli'] as const) {
      rows.push({
        event: `OrderPlaced, ${bytes / KB} KB of JSON`,
        compression: name,
        appendMicros: appendMicros[name],
        readMicros: readMicros[name],
      });
    }
  }
  return rows;
}

/** An event's item as the store wrote it in layout 1: every attribute, long names, the id and time as strings. */
function layout1Item(streamId: string, version: number, event: NewEvent): WireItem {
  return {
    streamId: { S: streamId },
    version: { N: String(version) },
    type: { S: event.type },
    schemaVersion: { N: String(event.schemaVersion ?? 1) },
    payload: { S: JSON.stringify(event.payload) },
    metadata: { S: JSON.stringify(event.metadata ?? {}) },
    eventId: { S: event.eventId! },
    recordedAt: { S: event.recordedAt!.toISOString() },
  };
}
