import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The size DynamoDB charges and limits an item by: attribute names count as well as values
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
export function itemSize(item: Readonly<Record<string, AttributeValue>>): number {
  let size = 0;
  for (const name in item) size += utf8Length(name) + valueSize(item[name]!);
  return size;
}

const LIST_OR_MAP_OVERHEAD = 3;
const ELEMENT_OVERHEAD = 1;

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return sum(value.SS.map(utf8Length));
  if (value.NS !== undefined) return sum(value.NS.map(numberSize));
  if (value.BS !== undefined) return sum(value.BS.map((bytes) => bytes.byteLength));
  if (value.L !== undefined) {
    return (
      LIST_OR_MAP_OVERHEAD + sum(value.L.map((element) => ELEMENT_OVERHEAD + valueSize(element)))
    );
  }
  if (value.M !== undefined) {
    return (
      LIST_OR_MAP_OVERHEAD +
      sum(
        Object.entries(value.M).map(
          ([name, element]) => ELEMENT_OVERHEAD + utf8Length(name) + valueSize(element),
        ),
      )
    );
  }
  throw new TypeError(`Not a DynamoDB attribute value: ${JSON.stringify(value)}`);
}

/**
 * The size of an item whose attributes are `document`'s fields, stored as native DynamoDB values (strings, numbers,
 * booleans, null, lists and maps), as the DocumentClient writes a plain object.
 */
export function documentItemSize(document: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const name in document) size += utf8Length(name) + plainValueSize(document[name]);
  return size;
}

function plainValueSize(value: unknown): number {
  if (typeof value === 'string') return utf8Length(value);
  if (typeof value === 'number') return numberSize(String(value));
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) {
    return (
      LIST_OR_MAP_OVERHEAD + sum(value.map((element) => ELEMENT_OVERHEAD + plainValueSize(element)))
    );
  }
  return (
    LIST_OR_MAP_OVERHEAD +
    sum(
      Object.entries(value as object).map(
        ([name, element]) => ELEMENT_OVERHEAD + utf8Length(name) + plainValueSize(element),
      ),
    )
  );
}

/** One byte per two significant digits, plus one; leading and trailing zeros are not stored. */
function numberSize(value: string): number {
  const digits = value
    .replace(/e.*$/i, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(digits.length / 2) + 1;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const sum = (values: readonly number[]): number =>
  values.reduce((total, value) => total + value, 0);
