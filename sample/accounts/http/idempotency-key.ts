import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The longest key taken: a UUID needs 36 characters; a key is stored in the events table's partition key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** An RFC 8941 sf-string: printable ASCII between quotes, `"` and `\` escaped with `\`. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
/** The unquoted form: visible ASCII, no quote, no space. */
const BARE = /^[\x21\x23-\x7e]+$/;

/**
 * The request's Idempotency-Key header, undefined when it sent none. The IETF draft "The Idempotency-Key HTTP Header
 * Field" (draft-ietf-httpapi-idempotency-key-header) makes it a Structured Field String,
 * `Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`; the bare form most APIs take (`8e03978e-…`) is read as
 * the same key. Anything else is refused with 400 before the key is looked up, as the draft's security
 * considerations ask: an empty key, one over MAX_IDEMPOTENCY_KEY_LENGTH characters, characters beyond visible ASCII,
 * or two Idempotency-Key headers (which Node joins with ", ").
 */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext) =>
  idempotencyKeyFrom(context.switchToHttp().getRequest<Request>().headers['idempotency-key']),
);

export function idempotencyKeyFrom(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(', ') : header;
  const quoted = SF_STRING.exec(value);
  const key = quoted
    ? quoted[1]!.replace(/\\(["\\])/g, '$1')
    : BARE.test(value)
      ? value
      : undefined;
  if (key === undefined || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new BadRequestException(
      `Idempotency-Key must be one key of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters, such as ` +
        'a UUID, bare or as a quoted string ("…"). Nothing was done.',
    );
  }
  return key;
}
