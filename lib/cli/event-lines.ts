import type { StoredEvent } from '../core/types.js';

/** An event as `inspect --json` and `tail --json` print it: the stored event, its date as ISO 8601. */
export function eventJson(event: StoredEvent): Record<string, unknown> {
  return {
    streamId: event.streamId,
    version: event.version,
    type: event.type,
    schemaVersion: event.schemaVersion,
    recordedAt: event.recordedAt.toISOString(),
    eventId: event.eventId,
    payload: event.payload,
    metadata: event.metadata,
  };
}

/**
 * One line per event, its fields in a fixed order and the payload and metadata as compact JSON, so that grep and cut
 * work on it: `3  ItemAdded  schema 1  2026-05-01T10:00:00.000Z  <event id>  {"sku":"a"}  {"correlationId":"c"}`.
 * `tail` puts the stream id first.
 */
export function eventLine(event: StoredEvent, { withStreamId = false } = {}): string {
  return [
    ...(withStreamId ? [event.streamId] : []),
    String(event.version),
    event.type,
    `schema ${event.schemaVersion}`,
    event.recordedAt.toISOString(),
    event.eventId,
    JSON.stringify(event.payload),
    JSON.stringify(event.metadata),
  ].join('  ');
}
