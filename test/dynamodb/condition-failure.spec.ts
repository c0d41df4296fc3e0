import { classifyConditionFailure } from '../../lib/dynamodb/writes/condition-failure.js';
import { ConcurrencyError } from '../../lib/index.js';

/** Errors shaped as the SDK deserialises them: matched by name, CancellationReasons in request order. */
const sdkError = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...fields });
const stored = (version: number, eventId: string) => ({
  version: { N: String(version) },
  eventId: { S: eventId },
});

describe('classifyConditionFailure', () => {
  it("recognises a lone event's own earlier write: the save was applied, its answer lost", () => {
    const error = sdkError('ConditionalCheckFailedException', { Item: stored(4, 'e-4') });

    expect(classifyConditionFailure(error, 'Account#1', 3, ['e-4'])).toBe('ours');
  });

  it("maps another writer's event at the version to ConcurrencyError with the version found", () => {
    const error = sdkError('ConditionalCheckFailedException', { Item: stored(4, 'someone-else') });

    const conflict = classifyConditionFailure(error, 'Account#1', 3, ['e-4']);

    expect(conflict).toBeInstanceOf(ConcurrencyError);
    expect(conflict).toMatchObject({ streamId: 'Account#1', expectedVersion: 3, foundVersion: 4 });
    expect((conflict as ConcurrencyError).cause).toBe(error);
  });

  it("recognises a transaction's own earlier commit when every event item is ours", () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: stored(8, 'e-8') },
        { Code: 'ConditionalCheckFailed', Item: stored(9, 'e-9') },
        { Code: 'ConditionalCheckFailed', Item: { snapshotVersion: { N: '9' } } },
      ],
    });

    expect(classifyConditionFailure(error, 'Account#1', 7, ['e-8', 'e-9'])).toBe('ours');
  });

  it('maps a transaction that meets any foreign event to ConcurrencyError with the first version found', () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: stored(8, 'other-8') },
        { Code: 'None' },
      ],
    });

    expect(classifyConditionFailure(error, 'Account#1', 7, ['e-8', 'e-9'])).toMatchObject({
      name: 'ConcurrencyError',
      foundVersion: 8,
    });
  });

  it('maps a transaction cancelled by a conflicting transaction to ConcurrencyError, without a version', () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });

    const conflict = classifyConditionFailure(error, 'Account#1', 7, ['e-8', 'e-9']);

    expect(conflict).toBeInstanceOf(ConcurrencyError);
    expect((conflict as ConcurrencyError).foundVersion).toBeUndefined();
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
    expect(classifyConditionFailure(error, 'Account#1', 1, ['e-2'])).toBeUndefined();
  });
});
