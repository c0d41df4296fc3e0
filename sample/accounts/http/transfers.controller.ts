import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { TransferMoney, type TransferReceipt } from '../commands/transfer-money.command.js';
import { IdempotencyKey } from './idempotency-key.js';
import { TransferDto } from './transfer.dto.js';

@Controller('transfers')
export class TransfersController {
  constructor(private readonly commandBus: CommandBus) {}

  /**
   * 200 with the receipt: the transfer's id, the sender's new state and the receiver's new version. Both accounts'
   * histories show the transfer (MoneyTransferredOut, MoneyTransferredIn, with the same transferId).
   */
  @Post()
  @HttpCode(200)
  transfer(
    @Body() { fromId, toId, amountCents }: TransferDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<TransferReceipt> {
    return this.commandBus.execute(new TransferMoney(fromId, toId, amountCents, idempotencyKey));
  }
}
