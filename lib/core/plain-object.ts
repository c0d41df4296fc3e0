/**
 * An object literal's kind: its prototype is null or an Object.prototype — of any realm, so that an object made by
 * structuredClone, in a worker or in a test runner's sandbox, counts too.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
