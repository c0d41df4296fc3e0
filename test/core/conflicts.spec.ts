import { asConcurrencyError } from '../../lib/core/conflicts.js';
import { ConcurrencyError } from '../../lib/index.js';

/** Errors shaped as the SDK deserialises them: matched by name, CancellationReasons in request order. */
const sdkError = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...fields });

describe('asConcurrencyError', () => {
  it('maps a failed PutItem condition, with the version DynamoDB returned as ALL_OLD', () => {
    const error = sdkError('ConditionalCheckFailedException', {
      Item: { streamId: { S: 'Account#1' }, version: { N: '4' } },
    });

    const conflict = asConcurrencyError(error, 'Account#1', 3);

    expect(conflict).toBeInstanceOf(ConcurrencyError);
    expect(conflict).toMatchObject({ streamId: 'Account#1', expectedVersion: 3, foundVersion: 4 });
    expect(conflict?.cause).toBe(error);
  });

  it('maps a transaction cancelled by a failed condition, with the first version found', () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: { version: { N: '8' } } },
        { Code: 'ConditionalCheckFailed', Item: { version: { N: '9' } } },
      ],
    });

    expect(asConcurrencyError(error, 'Account#1', 7)).toMatchObject({ foundVersion: 8 });
  });

  it('maps a transaction cancelled by a conflicting transaction, without a version', () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });

    const conflict = asConcurrencyError(error, 'Account#1', 7);

    expect(conflict).toBeInstanceOf(ConcurrencyError);
    expect(conflict?.foundVersion).toBeUndefined();
  });

  it.each([
    [
      'a transaction cancelled for throttling',
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'ThrottlingError' }],
      }),
    ],
    ['a validation error', sdkError('ValidationException')],
    ['a missing table', sdkError('ResourceNotFoundException')],
    ['a network failure', new Error('socket hang up')],
    ['a non-error', 'boom'],
  ])('leaves %s alone', (_, error) => {
    expect(asConcurrencyError(error, 'Account#1', 1)).toBeUndefined();
  });
});
