import type { Type } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import { parseStreamId } from '../core/stream-id.js';
import type { EventEnvelope } from '../nest/event-envelope.js';
import type { ViewDocument } from './views/view-document.js';

/** What a projection's handler may do to the view, for one event. */
export interface ViewUpdate<D extends ViewDocument = ViewDocument> {
  /** The stream's document as of the events applied before this one; undefined if it has none yet. */
  readonly document: D | undefined;
  /** Replaces the stream's document. */
  set(document: D): void;
  /** Deletes the stream's document (its position is kept: a redelivered event cannot bring it back). */
  delete(): void;
  /**
   * Adds to number fields of another document of the same view (a total over many streams), in the same atomic
   * write as this stream's position: exactly once per event, whichever instance applies it.
   */
  increment(documentId: string, deltas: Readonly<Record<string, number>>): void;
}

/** Applies one event to the view. It should only compute: anything it does besides `view` is not exactly-once. */
export type ProjectionEventHandler<
  E extends IEvent = IEvent,
  D extends ViewDocument = ViewDocument,
> = (event: E, view: ViewUpdate<D>, envelope: EventEnvelope<E>) => void | Promise<void>;

/** A projection as the processor runs it, whether declared with decorators or built by hand. */
export interface ProjectionDefinition {
  /** Stable: positions, parked events and (later) rebuilds are kept under it. */
  readonly name: string;
  /** The view its documents live in; one projection per view. */
  readonly view: string;
  /**
   * The document that all events of a stream go to. Default: the stream's aggregate id. Several streams may share
   * a document (it keeps a position per stream); one stream never feeds two.
   */
  readonly documentIdOf: (streamId: string) => string;
  readonly handlers: ReadonlyMap<Type<IEvent>, ProjectionEventHandler>;
}

/** The aggregate id of a stream made by `streamIdOf`, else the stream id itself. */
export function aggregateDocumentId(streamId: string): string {
  return parseStreamId(streamId)?.aggregateId ?? streamId;
}
