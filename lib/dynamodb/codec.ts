import { EventSerializationError } from '../core/errors.js';

/** What a JSON value is stored as: the payload or metadata of an event, or the state of a snapshot. */
export type EncodedField = 'payload' | 'metadata' | 'state';

/**
 * Payload, metadata and snapshot state are stored as JSON text: one string attribute decodes far faster than a
 * nested map, and JSON turns class instances into their data. JSON.stringify silently drops or mangles some values;
 * those that would not read back as written are refused instead, before anything is written.
 */
export function encodeJson(
  value: unknown,
  streamId: string,
  eventType: string,
  field: EncodedField,
): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, refuseLossyValues);
  } catch (error) {
    const reason =
      error instanceof LossyValue
        ? error.message
        : `cannot be serialised (${(error as Error).message})`;
    throw new EventSerializationError(streamId, eventType, `its ${field} ${reason}`, {
      cause: error,
    });
  }
  if (json === undefined) {
    throw new EventSerializationError(streamId, eventType, `its ${field} is not JSON data`);
  }
  return json;
}

/**
 * Reads what `encodeJson` wrote. JSON.parse makes every key an own data property, `__proto__` and `constructor`
 * included, so a payload reads back with exactly the keys it was stored with.
 */
export function decodeJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

class LossyValue extends Error {}

/** Built-in objects JSON turns into something else, and what to store instead. */
const LOSSY_OBJECTS: readonly [test: (value: object) => boolean, name: string, advice: string][] = [
  [(value) => value instanceof Map, 'a Map', 'store an object or an array of entries'],
  [(value) => value instanceof Set, 'a Set', 'store an array'],
  [
    (value) => ArrayBuffer.isView(value) || value instanceof ArrayBuffer,
    'binary data',
    'store it as a base64 string',
  ],
  [(value) => value instanceof Error, 'an Error', 'store its message and name as strings'],
  [(value) => value instanceof RegExp, 'a RegExp', 'store its source as a string'],
  [(value) => value instanceof Promise, 'a Promise', 'await it and store its value'],
  [
    (value) => value instanceof WeakMap || value instanceof WeakSet,
    'a WeakMap or WeakSet',
    'store plain data',
  ],
];

function refuseLossyValues(this: unknown, key: string, value: unknown): unknown {
  const where = key === '' ? '' : ` field "${key}"`;
  // The value before its toJSON() ran: that is what the caller handed in.
  const original = (this as Record<string, unknown>)[key];
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw new LossyValue(`${where} is a ${typeof value}`.trim());
    case 'bigint':
      throw new LossyValue(`${where} is a bigint; store it as a string`.trim());
    case 'number':
      if (!Number.isFinite(value)) throw new LossyValue(`${where} is ${value}`.trim());
      return value;
    case 'undefined':
      if (Array.isArray(this)) throw new LossyValue(`element ${key} of an array is undefined`);
      return value;
  }
  if (typeof original === 'object' && original !== null) {
    for (const [test, name, advice] of LOSSY_OBJECTS) {
      if (test(original)) {
        throw new LossyValue(`${where} is ${name}, which JSON does not keep; ${advice}`.trim());
      }
    }
    if (original instanceof Date && Number.isNaN(original.getTime())) {
      throw new LossyValue(`${where} is an invalid Date`.trim());
    }
    if (value === original && hasDataOnlyInAccessors(original)) {
      throw new LossyValue(
        (
          `${where} is a ${original.constructor.name} whose data is in getters, which JSON does not ` +
          'keep; give the class a toJSON() method or store plain data'
        ).trim(),
      );
    }
  }
  return value;
}

const accessorsByPrototype = new WeakMap<object, boolean>();

/** A class instance with no fields of its own but getters on its class: JSON would store `{}`. */
function hasDataOnlyInAccessors(value: object): boolean {
  if (Array.isArray(value) || Object.keys(value).length > 0) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === null || prototype === Object.prototype) return false;
  let known = accessorsByPrototype.get(prototype);
  if (known === undefined) {
    known = false;
    for (
      let p: object | null = prototype;
      p && p !== Object.prototype;
      p = Object.getPrototypeOf(p) as object | null
    ) {
      if (Object.values(Object.getOwnPropertyDescriptors(p)).some((d) => d.get !== undefined)) {
        known = true;
        break;
      }
    }
    accessorsByPrototype.set(prototype, known);
  }
  return known;
}
