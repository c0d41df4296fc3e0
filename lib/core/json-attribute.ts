import { EventSerializationError } from './errors.js';

/**
 * Payload and metadata are stored as JSON text: one string attribute decodes far faster than a nested map, and
 * JSON turns class instances into plain objects. JSON.stringify silently drops or mangles some values; those that
 * would not read back as written are refused instead.
 */
export function toJsonAttribute(
  value: unknown,
  streamId: string,
  eventType: string,
  field: 'payload' | 'metadata' | 'state',
): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, refuseLossyValues);
  } catch (error) {
    throw new EventSerializationError(
      streamId,
      eventType,
      `its ${field} cannot be serialised (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (json === undefined) {
    throw new EventSerializationError(streamId, eventType, `its ${field} is not JSON data`);
  }
  return json;
}

function refuseLossyValues(this: unknown, key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw new TypeError(`field "${key}" is a ${typeof value}`);
    case 'bigint':
      throw new TypeError(`field "${key}" is a bigint; store it as a string`);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`field "${key}" is ${value}`);
      return value;
    case 'undefined':
      if (Array.isArray(this)) throw new TypeError(`element ${key} of an array is undefined`);
      return value;
    case 'object':
      if (value instanceof Map || value instanceof Set) {
        throw new TypeError(
          `field "${key}" is a ${value.constructor.name}; store an object or array`,
        );
      }
      return value;
    default:
      return value;
  }
}
