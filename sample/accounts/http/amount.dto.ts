import { ValidateBy } from 'class-validator';
import { isValidAmountCents, MAX_AMOUNT_CENTS } from '../money.js';

/**
 * The body of a deposit or a withdrawal. The account checks the same rule again (and the balance); checked here too
 * so that a malformed amount is the client's mistake (400), not a refused command (422).
 */
export class AmountDto {
  @IsAmountCents()
  amountCents!: number;
}

/** A JSON number that is a whole number of cents from 1 to MAX_AMOUNT_CENTS: no strings, no fractions. */
export function IsAmountCents(): PropertyDecorator {
  return ValidateBy({
    name: 'isAmountCents',
    validator: {
      validate: (value: unknown) => isValidAmountCents(value),
      defaultMessage: () =>
        `amountCents must be a whole number of cents from 1 to ${MAX_AMOUNT_CENTS}, sent as a JSON number`,
    },
  });
}
