import { randomUUID } from 'node:crypto';
import type { IEvent } from '@nestjs/cqrs';

/**
 * The id and time each event was first saved with, and whether a save of it may have landed. A save that failed
 * leaves its events uncommitted; saving them again sends the same ids, so they are stored exactly once whether or
 * not an earlier attempt landed, and a failure is never reported as `not-written` once one might have.
 */
export interface EventIdentity {
  readonly eventId: string;
  readonly recordedAt: Date;
  mayBeStored: boolean;
}
const identities = new WeakMap<IEvent, EventIdentity>();

/** The event's identity, given the first time it is saved. */
export function identityOf(event: IEvent): EventIdentity {
  let identity = identities.get(event);
  if (!identity) {
    identity = { eventId: randomUUID(), recordedAt: new Date(), mayBeStored: false };
    identities.set(event, identity);
  }
  return identity;
}
