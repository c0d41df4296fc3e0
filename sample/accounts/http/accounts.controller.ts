import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  type MessageEvent,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
  Sse,
  SseSignal,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { type AggregateRepository, InjectAggregateRepository } from 'nestjs-dynamo-es';
import { EMPTY, finalize, map, type Observable } from 'rxjs';
import { Account } from '../account.aggregate.js';
import { AccountNotFoundError } from '../account.errors.js';
import type { AccountState } from '../account-state.js';
import { DepositMoney } from '../commands/deposit-money.command.js';
import { OpenAccount } from '../commands/open-account.command.js';
import { WithdrawMoney } from '../commands/withdraw-money.command.js';
import { GetAccount } from '../queries/get-account.query.js';
import {
  type AccountDirectory,
  type AccountSummary,
  InjectAccountDirectory,
} from '../read-model/account-directory.projection.js';
import { AmountDto } from './amount.dto.js';
import { HistoryReaders } from './history-readers.js';
import { IdempotencyKey } from './idempotency-key.js';
import { etagOf, versionFromIfMatch } from './if-match.js';
import { OpenAccountDto } from './open-account.dto.js';

const AccountId = new ParseUUIDPipe({ version: '4' });

@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @InjectAccountDirectory() private readonly directory: AccountDirectory,
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
    private readonly historyReaders: HistoryReaders,
  ) {}

  /**
   * Every POST takes an Idempotency-Key header: a repeat with the same key and body gets the first answer (status and
   * body) and changes nothing; the same key with another request is refused with 422 (see AccountErrorsFilter).
   */
  @Post()
  async open(
    @Body() { owner }: OpenAccountDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AccountState> {
    return withEtag(
      response,
      await this.commandBus.execute(new OpenAccount(owner, idempotencyKey)),
    );
  }

  /** Every account from the read model: eventually consistent, it trails the commands by the stream's delay. */
  @Get()
  list(): Promise<AccountSummary[]> {
    return this.directory.list();
  }

  @Get(':id')
  async get(
    @Param('id', AccountId) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AccountState> {
    return withEtag(response, await this.queryBus.execute(new GetAccount(id)));
  }

  @Post(':id/deposits')
  @HttpCode(200)
  async deposit(
    @Param('id', AccountId) id: string,
    @Body() { amountCents }: AmountDto,
    @Headers('if-match') ifMatch: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AccountState> {
    const command = new DepositMoney(id, amountCents, versionFromIfMatch(ifMatch), idempotencyKey);
    return withEtag(response, await this.commandBus.execute(command));
  }

  @Post(':id/withdrawals')
  @HttpCode(200)
  async withdraw(
    @Param('id', AccountId) id: string,
    @Body() { amountCents }: AmountDto,
    @Headers('if-match') ifMatch: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AccountState> {
    const command = new WithdrawMoney(id, amountCents, versionFromIfMatch(ifMatch), idempotencyKey);
    return withEtag(response, await this.commandBus.execute(command));
  }

  /**
   * The account's events as Server-Sent Events, straight from the repository's Observable: read page by page from
   * DynamoDB, and no longer read once the client disconnects. Each event's id is its version, so a reconnecting
   * EventSource resumes after the last event it received (Last-Event-ID). Each stream takes one of HistoryReaders'
   * slots while it reads from the store, so that readers cannot starve the commands; 503 with Retry-After when no
   * slot came free in time.
   */
  @Sse(':id/history')
  async history(
    @Param('id', AccountId) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @SseSignal() closed: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    const release = await this.historyReaders.acquire(closed).catch((error: unknown) => {
      // A client that left while waiting is owed nothing; its connection is gone.
      if (closed.aborted) return undefined;
      throw error;
    });
    if (!release) return EMPTY;
    // The signal aborts however the response ends, even when the Observable is never subscribed (the client left
    // first); finalize frees the slot as soon as the store is read, before a slow client has taken the events.
    if (closed.aborted) release();
    else closed.addEventListener('abort', release, { once: true });
    try {
      if (!(await this.accounts.exists(id))) throw new AccountNotFoundError(id);
    } catch (error) {
      release();
      throw error;
    }
    const fromVersion = lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) + 1 : 1;
    return this.accounts.history(id, { fromVersion }).pipe(
      finalize(release),
      map((envelope) => ({
        id: String(envelope.version),
        data: {
          version: envelope.version,
          type: envelope.type,
          event: envelope.event,
          recordedAt: envelope.recordedAt.toISOString(),
        },
      })),
    );
  }
}

function withEtag(response: Response, state: AccountState): AccountState {
  response.setHeader('ETag', etagOf(state.version));
  return state;
}
