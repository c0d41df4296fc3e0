/**
 * Resolves with the first value `probe` gives that `until` accepts, probing every `everyMs`; rejects after
 * `withinMs` with the last value seen. For outcomes that arrive asynchronously (a projection fed by a stream), so
 * that a test waits for a condition, never for a fixed time.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  until: (value: T) => boolean,
  { withinMs = 15_000, everyMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (until(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`Not reached within ${withinMs} ms; last seen: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
