import type { Type } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import type { NewEvent, StoredEvent } from '../core/types.js';
import {
  AggregateConfigurationError,
  UnknownEventTypeError,
  UnregisteredEventError,
} from './errors.js';

/**
 * The event classes of one aggregate, by name. @nestjs/cqrs routes events by constructor and names handlers after
 * the class (`onMoneyDeposited`), so events are stored under their class name and read back as instances of it.
 */
export class EventClassRegistry {
  private readonly classes = new Map<string, Type<IEvent>>();

  constructor(
    private readonly aggregateType: string,
    eventClasses: readonly Type<IEvent>[],
  ) {
    for (const eventClass of eventClasses) {
      if (typeof eventClass !== 'function' || !eventClass.name) {
        throw new AggregateConfigurationError(
          `The events of aggregate "${aggregateType}" must be named classes; got ${String(eventClass)}.`,
        );
      }
      const registered = this.classes.get(eventClass.name);
      if (registered && registered !== eventClass) {
        throw new AggregateConfigurationError(
          `Aggregate "${aggregateType}" registers two different event classes named "${eventClass.name}".`,
        );
      }
      this.classes.set(eventClass.name, eventClass);
    }
  }

  toNewEvent(event: IEvent): NewEvent {
    const eventClass = (event as object | null)?.constructor as Type<IEvent> | undefined;
    const type = eventClass?.name ?? typeof event;
    if (!eventClass || this.classes.get(type) !== eventClass) {
      throw new UnregisteredEventError(this.aggregateType, type);
    }
    return { type, payload: event };
  }

  /** Rebuilds the event as an instance of its class without running its constructor. */
  toEvent(stored: StoredEvent): IEvent {
    const eventClass = this.classes.get(stored.type);
    if (!eventClass) throw new UnknownEventTypeError(stored.streamId, stored.type, stored.version);
    return Object.assign(Object.create(eventClass.prototype as object) as IEvent, stored.payload);
  }
}
