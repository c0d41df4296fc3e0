import { IsNumber } from 'class-validator';

/** Only the shape is validated here; whether the amount is acceptable is the account's rule. */
export class AmountDto {
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  amount!: number;
}
