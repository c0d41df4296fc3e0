import { inexactNumberIn } from '../../sample/accounts/http/exact-json-numbers.middleware.js';

/** Which number of a JSON text, if any, JSON.parse would silently turn into another one. */
describe('inexactNumberIn', () => {
  it.each([
    ['{"amountCents": 9007199254740993}', '9007199254740993'],
    ['{"amountCents": -9007199254740993}', '-9007199254740993'],
    ['{"amountCents": 100.000000000000000001}', '100.000000000000000001'],
    ['{"amountCents": 1.00000000000000000001e2}', '1.00000000000000000001e2'],
    ['{"amountCents": 1e308}', '1e308'],
    ['{"amountCents": 1e400}', '1e400'],
    ['{"amountCents": 1e-400}', '1e-400'],
    ['[1, 2, [3, 18014398509481985]]', '18014398509481985'],
  ])('%s: %s', (json, inexact) => {
    expect(inexactNumberIn(json)).toBe(inexact);
  });

  it.each([
    '{"amountCents": 100}',
    '{"amountCents": 9007199254740992}',
    '{"amountCents": 1e2}',
    '{"amountCents": 100.0}',
    '{"amountCents": -0}',
    '{"amountCents": 0.0e5}',
    // A fraction that stays a fraction is the amount rule's to refuse.
    '{"amountCents": 0.1}',
    '{"amountCents": 1e-7}',
    '{"owner": "9007199254740993 \\" 1e400"}',
    'not json: 12',
  ])('%s: none', (json) => {
    expect(inexactNumberIn(json)).toBeUndefined();
  });
});
