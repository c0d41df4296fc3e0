import { EventSerializationError } from '../core/errors.js';
import { isPlainObject } from '../core/plain-object.js';

/** What a JSON value is stored as: the payload or metadata of an event, or the state of a snapshot. */
export type EncodedField = 'payload' | 'metadata' | 'state' | 'result';

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
        ? `its ${field}${error.where(value)} ${error.problem}`
        : `its ${field} cannot be serialised (${(error as Error).message})`;
    throw new EventSerializationError(streamId, eventType, reason, { cause: error });
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

/** A value JSON would not keep, found at `key` of `holder` while stringifying. */
class LossyValue extends Error {
  constructor(
    readonly holder: object,
    readonly key: string,
    readonly problem: string,
  ) {
    super(problem);
  }

  /** ` field "a.b[2]"`: where the value sits in `root`, or nothing when it is the root itself. */
  where(root: unknown): string {
    if (this.key === '' && !Array.isArray(this.holder)) return '';
    const steps = trailTo(root, this.holder) ?? [];
    steps.push({ container: this.holder, key: this.key });
    const path = steps
      .map(({ container, key }, index) =>
        Array.isArray(container) ? `[${key}]` : index === 0 ? key : `.${key}`,
      )
      .join('');
    return ` field "${path}"`;
  }
}

interface Step {
  readonly container: object;
  readonly key: string;
}

/** The keys from `root` down to `target`, searched only once a value was refused. */
function trailTo(root: unknown, target: object, seen = new Set<object>()): Step[] | undefined {
  if (root === target) return [];
  if (typeof root !== 'object' || root === null || seen.has(root)) return undefined;
  seen.add(root);
  for (const key of Object.keys(root)) {
    const below = trailTo((root as Record<string, unknown>)[key], target, seen);
    if (below) return [{ container: root, key }, ...below];
  }
  return undefined;
}

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

function refuseLossyValues(this: object, key: string, value: unknown): unknown {
  const refuse = (problem: string) => new LossyValue(this, key, problem);
  // The value before its toJSON() ran: that is what the caller handed in.
  const original = (this as Record<string, unknown>)[key];
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw refuse(`is a ${typeof value}`);
    case 'bigint':
      throw refuse('is a bigint; store it as a string');
    case 'number':
      if (!Number.isFinite(value)) throw refuse(`is ${value}`);
      return value;
    case 'undefined':
      if (Array.isArray(this)) throw refuse('is undefined in an array; store null');
      return value;
  }
  if (typeof original === 'object' && original !== null) {
    for (const [test, name, advice] of LOSSY_OBJECTS) {
      if (test(original)) throw refuse(`is ${name}, which JSON does not keep; ${advice}`);
    }
    if (original instanceof Date && Number.isNaN(original.getTime())) {
      throw refuse('is an invalid Date');
    }
    if (value === original && hasDataOnlyInAccessors(original)) {
      throw refuse(
        `is an instance of ${original.constructor.name} whose data is in getters, which JSON does not keep; ` +
          'give the class a toJSON() method or store plain data',
      );
    }
  }
  return value;
}

const accessorsByPrototype = new WeakMap<object, boolean>();

/** A class instance with no fields of its own but getters on its class: JSON would store `{}`. */
function hasDataOnlyInAccessors(value: object): boolean {
  if (Array.isArray(value) || isPlainObject(value) || Object.keys(value).length > 0) return false;
  const prototype = Object.getPrototypeOf(value) as object;
  let known = accessorsByPrototype.get(prototype);
  if (known === undefined) {
    known = false;
    for (
      let p: object | null = prototype;
      p && Object.getPrototypeOf(p) !== null;
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
