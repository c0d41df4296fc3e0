import type { DynamoDBRecord } from 'aws-lambda';
import type { StoredEvent } from '../core/types.js';
import { ProjectionHandlerError } from '../projections/projection-processor.js';
import { storedEventsOf } from '../projections/stream-events.js';
import { toStreamRecord } from './lambda-stream-record.js';

/** A stored event of the batch, with the record it came in: the record is what Lambda is told about. */
export interface BatchEvent {
  readonly event: StoredEvent;
  readonly sequenceNumber: string | undefined;
  /** Its record's place in the batch. */
  readonly index: number;
}

/**
 * The stored events of a batch, in the batch's order, each with its record. Snapshot items, changes, removals and
 * items that are not events of this store carry none and are left out (`skipped` hears of the last kind).
 */
export function batchEventsOf(
  records: readonly DynamoDBRecord[],
  skipped: (sequenceNumber: string | undefined, reason: string) => void,
): BatchEvent[] {
  const events: BatchEvent[] = [];
  records.forEach((record, index) => {
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    const [event] = storedEventsOf([toStreamRecord(record)], (_, reason) =>
      skipped(sequenceNumber, reason),
    );
    if (event) events.push({ event, sequenceNumber, index });
  });
  return events;
}

/**
 * The batch cut into runs: consecutive events of one stream with consecutive versions. A run is applied at once (one
 * read and at most one write per projection, however long it is), and a failure inside it still has a first record:
 * the processor writes the events before the failing one and nothing after. Events of different streams never share
 * a run, so nothing after a failing record need be applied.
 */
export function runsOf(events: readonly BatchEvent[]): BatchEvent[][] {
  const runs: BatchEvent[][] = [];
  let run: BatchEvent[] | undefined;
  for (const entry of events) {
    const last = run?.at(-1)?.event;
    if (
      run &&
      last &&
      last.streamId === entry.event.streamId &&
      last.version + 1 === entry.event.version
    ) {
      run.push(entry);
    } else {
      run = [entry];
      runs.push(run);
    }
  }
  return runs;
}

/** The batch's events by stream, each stream's in the batch's order, the streams in the order they first appear. */
export function streamsOf(events: readonly BatchEvent[]): BatchEvent[][] {
  const byStream = new Map<string, BatchEvent[]>();
  for (const entry of events) {
    const stream = byStream.get(entry.event.streamId) ?? [];
    stream.push(entry);
    byStream.set(entry.event.streamId, stream);
  }
  return [...byStream.values()];
}

/**
 * The first record, in the batch's order, that a failed application of one stream's events did not apply. The
 * processor applies a stream in version order and stops at the event a handler kept failing on (ProjectionHandlerError
 * names it): that event and every later version are unapplied, whichever of their records comes first. Any other
 * failure (of the view store, or on an event read from the table to fill a gap before them) wrote nothing of them.
 */
export function firstUnappliedOf(events: readonly BatchEvent[], error: unknown): BatchEvent {
  const fromVersion =
    error instanceof ProjectionHandlerError && error.streamId === events[0]!.event.streamId
      ? error.version
      : 0;
  return events.find(({ event }) => event.version >= fromVersion) ?? events[0]!;
}
