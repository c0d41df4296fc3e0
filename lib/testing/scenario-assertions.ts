import { AssertionError } from 'node:assert';
import { inspect } from 'node:util';

/** What a thrown error should be: an instance of a class, or an error whose message matches a pattern. */
export type ExpectedError = (abstract new (...args: never[]) => unknown) | RegExp;

/** Throws an AssertionError unless `error` is what was expected. */
export function assertErrorMatches(error: unknown, expected: ExpectedError | undefined): void {
  if (expected === undefined) return;
  const matches =
    expected instanceof RegExp
      ? expected.test(error instanceof Error ? error.message : String(error))
      : error instanceof expected;
  if (!matches) {
    const wanted =
      expected instanceof RegExp
        ? `with a message matching ${String(expected)}`
        : `of class ${expected.name}`;
    throw scenarioFailure(
      `Expected an error ${wanted}, but got ${inspect(error, { depth: 1, breakLength: Infinity })}`,
    );
  }
}

/**
 * A failed scenario, said in words. `operator: 'fail'` keeps test runners from printing an empty diff of
 * actual and expected values around the message.
 */
export function scenarioFailure(message: string): AssertionError {
  return new AssertionError({ message, operator: 'fail' });
}
