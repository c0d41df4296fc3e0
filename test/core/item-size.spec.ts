import { EventStoreLimitError, itemSize } from '../../lib/index.js';
import {
  assertWithinAppendLimits,
  MAX_BYTES_PER_ITEM,
  MAX_BYTES_PER_SAVE,
  MAX_ITEMS_PER_SAVE,
} from '../../lib/core/append-limits.js';

describe('itemSize, as DynamoDB counts it', () => {
  it.each([
    ['attribute names and string values in UTF-8 bytes', { ab: 'xyz' }, 2 + 3],
    ['multi-byte characters', { é: '😀' }, 2 + 4],
    ['a number as one byte per two significant digits, plus one', { n: 12345 }, 1 + 4],
    ['a number without leading or trailing zeros', { n: 1000 }, 1 + 2],
    ['a small decimal', { n: -0.001 }, 1 + 2],
    ['zero', { n: 0 }, 1 + 1],
    ['a boolean and a null as one byte', { t: true, z: null }, 1 + 1 + 1 + 1],
    ['binary data in bytes', { b: new Uint8Array(10) }, 1 + 10],
    ['a map: 3 bytes, plus 1 byte per element and its name', { m: { a: 1 } }, 1 + 3 + (1 + 1 + 2)],
    ['a list: 3 bytes, plus 1 byte per element', { l: ['ab', true] }, 1 + 3 + (1 + 2) + (1 + 1)],
    ['an event item', { streamId: 'Account#1', version: 12 }, 8 + 9 + 7 + 2],
    ['nothing for undefined attributes', { a: 'x', skipped: undefined }, 1 + 1],
  ])('counts %s', (_, item, expected) => {
    expect(itemSize(item)).toBe(expected);
  });
});

describe('assertWithinAppendLimits', () => {
  /** An item of exactly `bytes` bytes by DynamoDB's count. */
  const itemOf = (bytes: number) => ({ p: 'x'.repeat(bytes - 1) });

  it('accepts 100 items, an item of exactly 400 KB, and a save of exactly 4 MB', () => {
    expect(() =>
      assertWithinAppendLimits(
        's',
        Array.from({ length: 100 }, () => itemOf(10)),
      ),
    ).not.toThrow();
    expect(() => assertWithinAppendLimits('s', [itemOf(MAX_BYTES_PER_ITEM)])).not.toThrow();
    const quarter = MAX_BYTES_PER_SAVE / 16;
    expect(() =>
      assertWithinAppendLimits(
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
      assertWithinAppendLimits('Account#1', items);
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(EventStoreLimitError);
    expect(error).toMatchObject({ streamId: 'Account#1', limit, maximum, found });
  });
});
