import type { AggregateRoot, IEvent } from '@nestjs/cqrs';

/**
 * Makes `commit()` on the aggregate throw while it holds unsaved events: it would publish them before they are
 * stored. The repository's save() publishes them once they are; a commit() with nothing unsaved does nothing.
 */
export function refuseCommitBeforeSave(
  aggregate: AggregateRoot,
  refusal: (unsavedEvents: number) => Error,
): void {
  aggregate.commit = () => {
    const unsaved = aggregate.getUncommittedEvents().length;
    if (unsaved > 0) throw refusal(unsaved);
  };
}

/**
 * Publishes exactly the saved events and leaves any applied while the save was in flight uncommitted, through
 * @nestjs/cqrs' public API only: the uncommitted list is emptied, the unsaved events are put back without running
 * their handlers again, and the saved ones published.
 */
export function publishSaved(aggregate: AggregateRoot, saved: readonly IEvent[]): void {
  const savedEvents = new Set(saved);
  const unsaved = aggregate.getUncommittedEvents().filter((event) => !savedEvents.has(event));
  aggregate.uncommit();
  for (const event of unsaved) aggregate.apply(event, { skipHandler: true });
  aggregate.publishAll([...saved]);
}
