import { randomBytes } from 'node:crypto';

/**
 * `length` characters of random base64: a payload that compression shrinks only to about three quarters, for
 * tests of size limits on what is stored.
 */
export function incompressible(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 3)
    .toString('base64')
    .slice(0, length);
}
