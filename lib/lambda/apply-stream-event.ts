import { Logger } from '@nestjs/common';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { LiveViews } from '../projections/generations.js';
import type { Projections } from '../projections/nest/projections.service.js';
import {
  type BatchEvent,
  batchEventsOf,
  firstUnappliedOf,
  runsOf,
  streamsOf,
} from './batch-events.js';

/** Where the handler reports skipped records and failures: Nest's Logger by default. */
export interface ProjectionsHandlerLogger {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * How a batch is applied:
 * - `batch` (default): in the batch's order, one run of a stream's consecutive records at a time. At the first
 *   record that fails, nothing after it is applied. A run costs a read and a write per projection, so a batch whose
 *   streams interleave costs that per record, one after the other.
 * - `stream`: each stream's records at once, streams side by side (as the stream runner applies a batch): a read and
 *   a write per document for the whole batch. The record reported is still the first, in the batch's order, that is
 *   not applied, but records of other streams after it may already be: Lambda delivers them again from it, and the
 *   projections' positions skip them.
 */
export type BatchOrdering = 'batch' | 'stream';

export interface ApplyStreamEventOptions {
  readonly logger?: ProjectionsHandlerLogger;
  /** Default `batch`. */
  readonly ordering?: BatchOrdering;
}

/** Streams applied side by side with `ordering: 'stream'`. */
const STREAM_CONCURRENCY = 8;

/**
 * Applies a Lambda DynamoDB stream event to the application's projections and says which record Lambda is to resume
 * from: the first, in the batch's order, that could not be applied (a handler that kept failing, the view store
 * unavailable…), as the one batch item failure; none when every record is applied. Lambda then retries from it,
 * bisects and gives up as its event source mapping says. Records before it stay applied, and a redelivered record is
 * skipped by the projections' positions, so a batch delivered again has no second effect. Snapshot items and other
 * records that are not events are skipped.
 */
export async function applyDynamoDBStreamEvent(
  projections: Projections,
  event: DynamoDBStreamEvent,
  { logger = new Logger('ProjectionsHandler'), ordering = 'batch' }: ApplyStreamEventOptions = {},
): Promise<DynamoDBBatchResponse> {
  const events = batchEventsOf(event.Records, (sequenceNumber, reason) =>
    logger.warn(`Skipped stream record ${sequenceNumber}: not an event of this store (${reason}).`),
  );
  // One read of the projections' generations for the whole invocation: its records were all stored before it.
  let views: Promise<LiveViews> | undefined;
  const apply = async (group: readonly BatchEvent[]): Promise<Failure | undefined> => {
    try {
      await projections.apply(
        group.map(({ event }) => event),
        await (views ??= projections.liveViews()),
      );
      return undefined;
    } catch (error) {
      return { record: firstUnappliedOf(group, error), error };
    }
  };
  let failure: Failure | undefined;
  if (ordering === 'stream') {
    const failures = await mapConcurrently(streamsOf(events), STREAM_CONCURRENCY, apply);
    failure = failures.reduce<Failure | undefined>(
      (first, found) =>
        found && (!first || found.record.index < first.record.index) ? found : first,
      undefined,
    );
  } else {
    for (const run of runsOf(events)) if ((failure = await apply(run))) break;
  }
  if (!failure) return { batchItemFailures: [] };
  const { record, error } = failure;
  // Without a sequence number there is no record to name: failing the invocation makes Lambda retry the batch.
  if (record.sequenceNumber === undefined) throw error;
  const { type, version, streamId } = record.event;
  logger.error(
    `Could not apply ${type} v${version} of ${streamId} (record ${record.sequenceNumber}); Lambda resumes from ` +
      `it: ${String((error as Error).message ?? error)}`,
  );
  return { batchItemFailures: [{ itemIdentifier: record.sequenceNumber }] };
}

interface Failure {
  readonly record: BatchEvent;
  readonly error: unknown;
}

/** `work` on every item, at most `concurrency` at a time; every call settles before it resolves. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
