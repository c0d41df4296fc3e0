import {
  BadRequestException,
  Injectable,
  type NestMiddleware,
  type RawBodyRequest,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Refuses (400) a JSON body holding a number that JSON.parse silently turned into another one: an integer beyond
 * 2^53 (9007199254740993 becomes …992), a fraction whose digits run past a double's precision
 * (100.000000000000000001 becomes 100), or one out of range (1e400 becomes Infinity). Once parsed, such a number
 * looks exactly like a valid amount; only the text tells them apart, so the app is created with `{ rawBody: true }`.
 */
@Injectable()
export class ExactJsonNumbersMiddleware implements NestMiddleware {
  use(request: RawBodyRequest<Request>, _response: Response, next: NextFunction): void {
    if (request.rawBody === undefined) {
      // A body the JSON parser read, yet without its text: nothing can be checked, so refuse rather than let a
      // rounded amount through. (express.json reads application/json only; other bodies are never parsed.)
      if (request.is('application/json'))
        throw new Error('The app must be created with { rawBody: true } to check JSON numbers.');
      return next();
    }
    const inexact = inexactNumberIn(request.rawBody.toString('utf8'));
    if (inexact !== undefined)
      throw new BadRequestException(
        `The number ${inexact} cannot be read exactly: JSON numbers hold whole numbers exactly only up to ` +
          `${Number.MAX_SAFE_INTEGER}, and about 16 significant digits. Nothing was done.`,
      );
    next();
  }
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NUMBER_PARTS = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The first number literal outside strings that JSON.parse changes, if any. */
export function inexactNumberIn(json: string): string | undefined {
  for (let index = 0; index < json.length; index++) {
    const char = json[index]!;
    if (char === '"') {
      for (index++; index < json.length && json[index] !== '"'; index++)
        if (json[index] === '\\') index++;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = index;
      const literal = NUMBER.exec(json)?.[0];
      if (literal === undefined) continue;
      if (isChangedByParsing(literal)) return literal;
      index += literal.length - 1;
    }
  }
  return undefined;
}

/**
 * A fraction may come out as a nearby fraction (0.1 is not exactly 0.1): the amount's own rule refuses those. What
 * must not happen is that a fraction comes out whole, or a whole number comes out as another one.
 */
function isChangedByParsing(literal: string): boolean {
  const parsed = Number(literal);
  if (!Number.isFinite(parsed)) return true;
  const [, whole, fraction = '', exponent = '0'] = NUMBER_PARTS.exec(literal)!;
  // The literal's value is `digits` × 10^`scale`, with no trailing zeros in `digits`.
  const padded = (whole! + fraction).replace(/^0+/, '');
  const digits = padded.replace(/0+$/, '');
  const scale = Number(exponent) - fraction.length + (padded.length - digits.length);
  if (digits === '') return parsed !== 0;
  if (scale < 0) return Number.isInteger(parsed);
  return BigInt(digits) * 10n ** BigInt(scale) !== BigInt(Math.abs(parsed));
}
