import { EventStoreError } from '../../core/errors.js';
import { MAX_BYTES_PER_ITEM } from '../../core/limits.js';
import { isPlainObject } from '../../core/plain-object.js';
import { documentItemSize } from '../../dynamodb/items/item-size.js';

/** A read-model document: the user's own data, a plain object of JSON-like values. */
export type ViewDocument = Record<string, unknown>;

/** Item attributes the view store keeps for itself; a document's own fields may not start with this. */
export const RESERVED_FIELD_PREFIX = '__';

/** A view document that cannot be stored as given. Nothing was written. */
export class ViewDocumentError extends EventStoreError {
  constructor(
    readonly view: string,
    readonly documentId: string,
    readonly reason: string,
  ) {
    super(
      `Cannot store document "${documentId}" of view "${view}": ${reason}. Nothing was written.`,
    );
  }
}

/**
 * The document as the view stores keep it, the same for DynamoDB and in memory: a deep copy in which a `Date` is
 * its ISO string and an `undefined` field is left out (the DocumentClient's `removeUndefinedValues`). Anything a
 * DynamoDB map would not give back as written is refused, naming the field: class instances (the DocumentClient is
 * used with `convertClassInstanceToMap: false`), Map and Set, binary data, functions, symbols, bigint, numbers that
 * are not finite or beyond 2^53, fields that collide with the store's own, and documents over DynamoDB's 400 KB.
 */
export function toStoredDocument(view: string, id: string, document: unknown): ViewDocument {
  const refuse = (reason: string) => new ViewDocumentError(view, id, reason);
  if (!isPlainObject(document)) {
    throw refuse(`a document must be a plain object; got ${describe(document)}`);
  }
  for (const field of Object.keys(document)) {
    if (field.startsWith(RESERVED_FIELD_PREFIX)) {
      throw refuse(
        `field "${field}" starts with "${RESERVED_FIELD_PREFIX}", which the view store reserves`,
      );
    }
  }
  const copy = copyValue(document, '', refuse) as ViewDocument;
  const bytes = documentItemSize(copy);
  if (bytes > MAX_BYTES_PER_ITEM) {
    throw refuse(`it is ${bytes} bytes, above DynamoDB's limit of ${MAX_BYTES_PER_ITEM} per item`);
  }
  return copy;
}

function copyValue(value: unknown, path: string, refuse: (reason: string) => Error): unknown {
  const at = path === '' ? 'the document' : `field "${path}"`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) {
        throw refuse(`${at} is ${value}, which a DynamoDB number would not give back exactly`);
      }
      return value;
    case 'object':
      break;
    default:
      throw refuse(`${at} is a ${typeof value}`);
  }
  if (value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw refuse(`${at} is an invalid Date`);
    return value.toISOString();
  }
  if (Array.isArray(value)) {
    return value.map((element, index) => {
      if (element === undefined) throw refuse(`element ${index} of ${at} is undefined; store null`);
      return copyValue(element, `${path}[${index}]`, refuse);
    });
  }
  if (!isPlainObject(value)) {
    throw refuse(`${at} is ${describe(value)}; store plain objects, arrays and values`);
  }
  const copy: ViewDocument = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    Object.defineProperty(copy, key, {
      value: copyValue(field, path === '' ? key : `${path}.${key}`, refuse),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return copy;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  if (Array.isArray(value)) return 'an array';
  return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
}
