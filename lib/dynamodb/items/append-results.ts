import type { PreparedMultiAppend } from '../../core/append-request.js';
import type { AppendResult } from '../../core/types.js';
import type { EncodedMultiAppend } from './encode-append.js';

/** What a written append reports, stream by stream: both stores answer with these. */
export function appendResultsOf(
  { appends }: PreparedMultiAppend,
  encoded: EncodedMultiAppend,
): AppendResult[] {
  return appends.map(({ streamId, version, events }, index) => {
    const { snapshotItem, snapshotSkipped } = encoded.appends[index]!;
    return {
      streamId,
      version,
      events: events.map(({ payload: _, ...event }) => event),
      snapshotWritten: snapshotItem !== undefined,
      snapshotSkipped,
    };
  });
}
