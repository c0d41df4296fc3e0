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
