import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  EventStoreLimitError,
  itemSize,
  MAX_BYTES_PER_ITEM,
  MAX_BYTES_PER_SAVE,
  MAX_ITEMS_PER_SAVE,
} from '../../lib/index.js';
import { measureEventItems } from '../../lib/dynamodb/items/append-limits.js';

describe('itemSize, as DynamoDB counts it', () => {
  it.each([
    ['attribute names and string values in UTF-8 bytes', { ab: { S: 'xyz' } }, 2 + 3],
    ['multi-byte characters', { é: { S: '😀' } }, 2 + 4],
    ['a number as one byte per two significant digits, plus one', { n: { N: '12345' } }, 1 + 4],
    ['a number without leading or trailing zeros', { n: { N: '1000' } }, 1 + 2],
    ['a small decimal', { n: { N: '-0.001' } }, 1 + 2],
    ['zero', { n: { N: '0' } }, 1 + 1],
    ['a boolean and a null as one byte', { t: { BOOL: true }, z: { NULL: true } }, 1 + 1 + 1 + 1],
    ['binary data in bytes', { b: { B: new Uint8Array(10) } }, 1 + 10],
    [
      'a map: 3 bytes, plus 1 byte per element and its name',
      { m: { M: { a: { N: '1' } } } },
      1 + 3 + (1 + 1 + 2),
    ],
    [
      'a list: 3 bytes, plus 1 byte per element',
      { l: { L: [{ S: 'ab' }, { BOOL: true }] } },
      1 + 3 + (1 + 2) + (1 + 1),
    ],
    [
      'a set: its elements',
      { s: { SS: ['a', 'bc'] }, n: { NS: ['12', '3'] } },
      1 + 3 + 1 + (2 + 2),
    ],
    ['an event item', { streamId: { S: 'Account#1' }, version: { N: '12' } }, 8 + 9 + 7 + 2],
  ])('counts %s', (_, item, expected) => {
    expect(itemSize(item as Record<string, AttributeValue>)).toBe(expected);
  });
});

describe('measureEventItems', () => {
  /** An item of exactly `bytes` bytes by DynamoDB's count. */
  const itemOf = (bytes: number) => ({ p: { S: 'x'.repeat(bytes - 1) } });

  it('accepts 100 items, an item of exactly 400 KB, and a save of exactly 4 MB', () => {
    expect(() =>
      measureEventItems(
        's',
        Array.from({ length: 100 }, () => itemOf(10)),
      ),
    ).not.toThrow();
    expect(() => measureEventItems('s', [itemOf(MAX_BYTES_PER_ITEM)])).not.toThrow();
    const quarter = MAX_BYTES_PER_SAVE / 16;
    expect(() =>
      measureEventItems(
        's',
        Array.from({ length: 16 }, () => itemOf(quarter)),
      ),
    ).not.toThrow();
  });

  it.each([
    ['events per save', Array.from({ length: MAX_ITEMS_PER_SAVE + 1 }, () => itemOf(10)), 100, 101],
    ['bytes per event', [itemOf(10), itemOf(MAX_BYTES_PER_ITEM + 1)], 409_600, 409_601],
    [
      'bytes per save',
      Array.from({ length: 16 }, (_, i) => itemOf(MAX_BYTES_PER_SAVE / 16 + (i === 0 ? 1 : 0))),
      4_194_304,
      4_194_305,
    ],
  ])('refuses more %s than DynamoDB allows', (limit, items, maximum, found) => {
    let error: unknown;
    try {
      measureEventItems('Account#1', items);
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(EventStoreLimitError);
    expect(error).toMatchObject({ streamId: 'Account#1', limit, maximum, found });
  });
});
