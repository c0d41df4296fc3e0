import { IsUUID, ValidateBy } from 'class-validator';
import { IsAmountCents } from './amount.dto.js';

/**
 * The body of a transfer. The accounts check the amount, the balances and the two ids again; checked here too so
 * that a malformed transfer is the client's mistake (400), not a refused command (422).
 */
export class TransferDto {
  @IsUUID('4')
  fromId!: string;

  @IsUUID('4')
  @IsOtherThanFromId()
  toId!: string;

  @IsAmountCents()
  amountCents!: number;
}

function IsOtherThanFromId(): PropertyDecorator {
  return ValidateBy({
    name: 'isOtherThanFromId',
    validator: {
      validate: (value: unknown, args) => value !== (args?.object as TransferDto).fromId,
      defaultMessage: () => 'toId must be another account than fromId',
    },
  });
}
