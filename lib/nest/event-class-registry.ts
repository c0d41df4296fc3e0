import type { Type } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import type { EventData, NewEvent } from '../core/types.js';
import type { EventRegistration, EventTypeOptions, Upcaster } from './aggregate-feature.js';
import {
  AggregateConfigurationError,
  UnknownEventTypeError,
  UnregisteredEventError,
  UnsupportedEventVersionError,
} from './errors.js';

interface EventType {
  readonly eventClass: Type<IEvent>;
  readonly version: number;
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

/**
 * The event classes of one aggregate, by name. @nestjs/cqrs routes events by constructor and names handlers after
 * the class (`onMoneyDeposited`), so events are stored under their class name and read back as instances of it,
 * upcast from the schema version they were stored with to the current one.
 */
export class EventClassRegistry {
  /** By stored name: the class name and any former names. */
  private readonly types = new Map<string, EventType>();

  constructor(
    private readonly aggregateType: string,
    registrations: readonly EventRegistration[],
  ) {
    for (const registration of registrations) {
      const options: EventTypeOptions =
        typeof registration === 'function' ? { event: registration } : registration;
      const eventType = this.validated(options);
      this.add(options.event.name, eventType);
      for (const alias of options.aliases ?? []) this.add(alias, eventType);
    }
  }

  toNewEvent(event: IEvent): NewEvent {
    const eventClass = (event as object | null)?.constructor as Type<IEvent> | undefined;
    const type = eventClass?.name ?? typeof event;
    const eventType = this.types.get(type);
    if (!eventClass || eventType?.eventClass !== eventClass) {
      throw new UnregisteredEventError(this.aggregateType, type);
    }
    return { type, payload: event, schemaVersion: eventType.version };
  }

  /** Rebuilds the event as an instance of its class, upcast to the current schema, without running its constructor. */
  toEvent(streamId: string, stored: EventData): IEvent {
    const eventType = this.types.get(stored.type);
    if (!eventType) throw new UnknownEventTypeError(streamId, stored.type, stored.version);
    const payload = this.upcast(streamId, stored, eventType);
    return Object.assign(
      Object.create(eventType.eventClass.prototype as object) as IEvent,
      payload,
    );
  }

  private upcast(streamId: string, stored: EventData, { version, upcasters }: EventType): unknown {
    if (stored.schemaVersion > version) {
      throw new UnsupportedEventVersionError(
        streamId,
        stored.type,
        stored.schemaVersion,
        `this code knows versions up to ${version}; was it written by a newer release?`,
      );
    }
    let payload = stored.payload;
    for (let from = stored.schemaVersion; from < version; from++) {
      const upcaster = upcasters[from];
      if (!upcaster) {
        throw new UnsupportedEventVersionError(
          streamId,
          stored.type,
          stored.schemaVersion,
          `no upcaster is registered from version ${from} to ${from + 1}`,
        );
      }
      payload = upcaster(payload as never);
    }
    return payload;
  }

  private validated({ event, version = 1, upcasters = {} }: EventTypeOptions): EventType {
    if (typeof event !== 'function' || !event.name) {
      throw new AggregateConfigurationError(
        `The events of aggregate "${this.aggregateType}" must be named classes; got ${String(event)}.`,
      );
    }
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new AggregateConfigurationError(
        `Event "${event.name}" of "${this.aggregateType}" has version ${version}; versions start at 1.`,
      );
    }
    for (const from of Object.keys(upcasters).map(Number)) {
      if (!Number.isSafeInteger(from) || from < 1 || from >= version) {
        throw new AggregateConfigurationError(
          `Event "${event.name}" of "${this.aggregateType}" is at version ${version}, so it can have upcasters ` +
            `from versions 1 to ${version - 1}; one is registered from version ${from}.`,
        );
      }
    }
    return { eventClass: event, version, upcasters };
  }

  private add(name: string, eventType: EventType): void {
    const registered = this.types.get(name);
    if (registered && registered.eventClass !== eventType.eventClass) {
      throw new AggregateConfigurationError(
        `Aggregate "${this.aggregateType}" registers two different event classes named "${name}".`,
      );
    }
    this.types.set(name, eventType);
  }
}
