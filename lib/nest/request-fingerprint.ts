import { createHash } from 'node:crypto';

/**
 * A fingerprint of a command's request: a SHA-256 of its class name and its data as JSON with sorted keys, so that
 * the same request gives the same fingerprint on any instance, and another request (other data, or another command
 * class with the same fields) another one.
 */
export function requestFingerprint(request: unknown): string {
  const name =
    typeof request === 'object' && request !== null
      ? ((Object.getPrototypeOf(request) as { constructor?: { name?: string } } | null)?.constructor
          ?.name ?? 'Object')
      : typeof request;
  return createHash('sha256')
    .update(name)
    .update('\0')
    .update(JSON.stringify(request, sortedKeys) ?? 'undefined')
    .digest('base64url');
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    ),
  );
}
