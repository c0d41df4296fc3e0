/**
 * Money is counted in integer minor units (cents): sums of integers are exact, where 0.1 + 0.2 in binary floating
 * point is not 0.3. The maxima keep every amount and every balance (and any balance plus any amount) far below
 * 2^53, the largest integer a JSON number or a JavaScript number holds exactly.
 */

/** The largest amount one deposit or withdrawal moves: 1,000,000.00. */
export const MAX_AMOUNT_CENTS = 100_000_000;

/** The largest balance an account holds: 10,000,000,000.00. */
export const MAX_BALANCE_CENTS = 1_000_000_000_000;

/** A whole number of cents from 1 to MAX_AMOUNT_CENTS. */
export function isValidAmountCents(amountCents: unknown): amountCents is number {
  return (
    typeof amountCents === 'number' &&
    Number.isSafeInteger(amountCents) &&
    amountCents >= 1 &&
    amountCents <= MAX_AMOUNT_CENTS
  );
}

/** `1 cent`, `250 cents`: for messages. */
export function cents(amountCents: number): string {
  return `${amountCents} ${amountCents === 1 ? 'cent' : 'cents'}`;
}
