/**
 * The size DynamoDB charges and limits an item by, computed from the native values the DocumentClient marshals:
 * attribute names count as well as values (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
export function itemSize(item: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const name in item) {
    const value = item[name];
    if (value === undefined) continue;
    size += utf8Length(name) + valueSize(value);
  }
  return size;
}

const LIST_OR_MAP_OVERHEAD = 3;
const ELEMENT_OVERHEAD = 1;

function valueSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return utf8Length(value);
    case 'number':
    case 'bigint':
      return numberSize(value);
    case 'boolean':
      return 1;
    case 'object':
      return objectSize(value);
    default:
      throw new TypeError(`DynamoDB cannot store a value of type ${typeof value}`);
  }
}

function objectSize(value: object | null): number {
  if (value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const element of value as Set<unknown>) size += valueSize(element);
    return size;
  }
  let size = LIST_OR_MAP_OVERHEAD;
  if (Array.isArray(value)) {
    for (const element of value) size += ELEMENT_OVERHEAD + valueSize(element);
    return size;
  }
  const entries = value instanceof Map ? value.entries() : Object.entries(value);
  for (const [name, element] of entries as Iterable<[string, unknown]>) {
    if (element === undefined) continue;
    size += ELEMENT_OVERHEAD + utf8Length(name) + valueSize(element);
  }
  return size;
}

/** One byte per two significant digits, plus one; leading and trailing zeros are not stored. */
function numberSize(value: number | bigint): number {
  const digits = String(value)
    .replace(/e.*$/i, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(digits.length / 2) + 1;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
