import { classifyConditionFailure } from '../../lib/dynamodb/writes/condition-failure.js';
import type { PlannedItem } from '../../lib/dynamodb/writes/write-plan.js';
import { ConcurrencyError, IdempotencyKeyInUseError } from '../../lib/index.js';

/** Errors shaped as the SDK deserialises them: matched by name, CancellationReasons in request order. */
const sdkError = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...fields });
const stored = (version: number, eventId: string) => ({
  version: { N: String(version) },
  eventId: { S: eventId },
});

/** The planned items of an append of these events to one stream, with a snapshot when asked. */
const append = (
  streamId: string,
  expectedVersion: number,
  eventIds: readonly string[],
  snapshot = false,
): PlannedItem[] => [
  ...eventIds.map((eventId): PlannedItem => ({
    kind: 'event',
    streamId,
    expectedVersion,
    eventId,
    item: {},
  })),
  ...(snapshot ? [{ kind: 'snapshot', streamId, expectedVersion, item: {} } as const] : []),
];
const keyOf = (eventIds: readonly string[]): PlannedItem => ({
  kind: 'idempotency key',
  key: 'k-1',
  fingerprint: 'f-1',
  eventIds,
  item: {},
});
const storedKey = (fingerprint: string, eventIds: readonly string[]) => ({
  streamId: { S: '#idempotency#k-1' },
  version: { N: '0' },
  fingerprint: { S: fingerprint },
  result: { S: '{"balance":5}' },
  written: { S: JSON.stringify({ streams: [], eventIds }) },
  recordedAt: { S: '2026-12-01T00:00:00.000Z' },
  expiresAt: { N: '1796256000' },
});

describe('classifyConditionFailure', () => {
  it("recognises a lone event's own earlier write: the save was applied, its answer lost", () => {
    const error = sdkError('ConditionalCheckFailedException', { Item: stored(4, 'e-4') });

    expect(classifyConditionFailure(error, append('Account#1', 3, ['e-4']))).toBe('ours');
  });

  it("maps another writer's event at the version to ConcurrencyError with the version found", () => {
    const error = sdkError('ConditionalCheckFailedException', { Item: stored(4, 'someone-else') });

    const conflict = classifyConditionFailure(error, append('Account#1', 3, ['e-4']));

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

    expect(classifyConditionFailure(error, append('Account#1', 7, ['e-8', 'e-9'], true))).toBe(
      'ours',
    );
  });

  it('maps a transaction that meets any foreign event to ConcurrencyError with the first version found', () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: stored(8, 'other-8') },
        { Code: 'None' },
      ],
    });

    expect(classifyConditionFailure(error, append('Account#1', 7, ['e-8', 'e-9']))).toMatchObject({
      name: 'ConcurrencyError',
      foundVersion: 8,
    });
  });

  it('maps a transaction cancelled by a conflicting transaction to ConcurrencyError, without a version', () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });

    const conflict = classifyConditionFailure(error, append('Account#1', 7, ['e-8', 'e-9']));

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
    expect(classifyConditionFailure(error, append('Account#1', 1, ['e-2']))).toBeUndefined();
  });

  it('names the stream that conflicted in a transaction over several streams', () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Item: stored(3, 'other-3') },
      ],
    });

    expect(
      classifyConditionFailure(error, [
        ...append('Account#1', 4, ['e-5']),
        ...append('Account#2', 2, ['e-3']),
      ]),
    ).toMatchObject({
      name: 'ConcurrencyError',
      streamId: 'Account#2',
      expectedVersion: 2,
      foundVersion: 3,
    });
  });

  it("maps an idempotency key held by another command's write to IdempotencyKeyInUseError, with what it stored", () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Item: storedKey('f-1', ['e-other']) },
      ],
    });

    const refused = classifyConditionFailure(error, [
      ...append('Account#1', 4, ['e-5']),
      keyOf(['e-5']),
    ]);

    expect(refused).toBeInstanceOf(IdempotencyKeyInUseError);
    expect(refused).toMatchObject({
      key: 'k-1',
      stored: { fingerprint: 'f-1', result: { balance: 5 } },
    });
  });

  it("recognises a transaction's own earlier commit, its idempotency key included", () => {
    const error = sdkError('TransactionCanceledException', {
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: stored(5, 'e-5') },
        { Code: 'ConditionalCheckFailed', Item: storedKey('f-1', ['e-5']) },
      ],
    });

    expect(
      classifyConditionFailure(error, [...append('Account#1', 4, ['e-5']), keyOf(['e-5'])]),
    ).toBe('ours');
  });
});
