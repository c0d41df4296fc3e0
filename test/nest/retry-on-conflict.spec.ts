import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Injectable, Logger, SetMetadata } from '@nestjs/common';
import {
  CommandBus,
  CommandHandler,
  EventBus,
  type ICommand,
  type ICommandHandler,
  type IEvent,
  ofType,
  Saga,
  UnhandledExceptionBus,
} from '@nestjs/cqrs';
import type { TestingModule } from '@nestjs/testing';
import { filter, firstValueFrom, map, type Observable } from 'rxjs';
import {
  type AggregateRepository,
  ConcurrencyError,
  type ConflictRetryScope,
  conflictRetryAttempts,
  currentConflictRetry,
  DEFAULT_BACKOFF,
  InjectAggregateRepository,
  RetryOnConflict,
  retryOnConflict,
  type RetryOnConflictOptions,
} from '../../lib/index.js';
import { repositoryOf, startInMemoryApp } from '../support/event-store-app.js';
import { seededRandom } from '../support/seeded-random.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
} from '../fixtures/bank-account.js';

interface Retry {
  readonly error: unknown;
  readonly attempt: number;
  readonly delayMs: number;
}

/** What every decorated handler below reports: the scope of each attempt, each retry, each wait. */
const record = {
  attempts: [] as ConflictRetryScope[],
  retries: [] as Retry[],
  sleeps: [] as number[],
};

/** Records the wait instead of waiting, so that no test sleeps. */
const recordedSleep = (delayMs: number): Promise<void> => {
  record.sleeps.push(delayMs);
  return Promise.resolve();
};

const recorded: RetryOnConflictOptions = {
  sleep: recordedSleep,
  onRetry: (error, attempt, delayMs) => record.retries.push({ error, attempt, delayMs }),
};

function enterAttempt(): ConflictRetryScope {
  const scope = currentConflictRetry();
  if (!scope) throw new Error('not inside a conflict retry');
  record.attempts.push(scope);
  return scope;
}

/** Another writer's deposit, saved between this handler's load and its save: the race, made deterministic. */
async function rivalDeposit(accounts: AggregateRepository<BankAccount>, id: string): Promise<void> {
  const rival = await accounts.load(id);
  rival.deposit(100);
  await accounts.save(rival);
}

class DepositRacedOnce {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

@Injectable()
@CommandHandler(DepositRacedOnce)
class DepositRacedOnceHandler implements ICommandHandler<DepositRacedOnce> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  @RetryOnConflict({ ...recorded, random: () => 1 })
  async execute({ accountId, amount }: DepositRacedOnce): Promise<number> {
    const { attempt } = enterAttempt();
    const account = await this.accounts.load(accountId);
    account.deposit(amount);
    if (attempt === 1) await rivalDeposit(this.accounts, accountId);
    await this.accounts.save(account);
    return account.balance;
  }
}

class DepositAlwaysRaced {
  constructor(readonly accountId: string) {}
}

@Injectable()
@CommandHandler(DepositAlwaysRaced)
class DepositAlwaysRacedHandler implements ICommandHandler<DepositAlwaysRaced> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  @RetryOnConflict({ ...recorded, maxAttempts: 3 })
  async execute({ accountId }: DepositAlwaysRaced): Promise<void> {
    enterAttempt();
    const account = await this.accounts.load(accountId);
    account.deposit(1);
    await rivalDeposit(this.accounts, accountId);
    await this.accounts.save(account);
  }
}

class Withdraw {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

@Injectable()
@CommandHandler(Withdraw)
class WithdrawHandler implements ICommandHandler<Withdraw> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  @RetryOnConflict(recorded)
  async execute({ accountId, amount }: Withdraw): Promise<void> {
    enterAttempt();
    const account = await this.accounts.load(accountId);
    account.withdraw(amount);
    await this.accounts.save(account);
  }
}

/** Sent by the saga below for every account opened; its handler loses a race on its first attempt. */
class GrantWelcomeBonus {
  constructor(readonly accountId: string) {}
}

/** The same, with a handler that does not retry: what @nestjs/cqrs does with a saga's failed command. */
class GrantWelcomeBonusOnce {
  constructor(readonly accountId: string) {}
}

const WELCOME_BONUS = 50;
/** The owners whose accounts the saga grants a bonus to; other accounts get none, so that they race nothing. */
const BONUS_OWNER = { retried: 'Bonus Retried', once: 'Bonus Once' };

@Injectable()
class WelcomeSagas {
  @Saga()
  welcomeBonus = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(AccountOpened),
      filter(({ owner }) => owner === BONUS_OWNER.retried || owner === BONUS_OWNER.once),
      map(({ accountId, owner }) =>
        owner === BONUS_OWNER.retried
          ? new GrantWelcomeBonus(accountId)
          : new GrantWelcomeBonusOnce(accountId),
      ),
    );
}

@Injectable()
@CommandHandler(GrantWelcomeBonus)
class GrantWelcomeBonusHandler implements ICommandHandler<GrantWelcomeBonus> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  @RetryOnConflict(recorded)
  async execute({ accountId }: GrantWelcomeBonus): Promise<void> {
    const { attempt } = enterAttempt();
    const account = await this.accounts.load(accountId);
    account.deposit(WELCOME_BONUS);
    if (attempt === 1) await rivalDeposit(this.accounts, accountId);
    await this.accounts.save(account);
  }
}

@Injectable()
@CommandHandler(GrantWelcomeBonusOnce)
class GrantWelcomeBonusOnceHandler implements ICommandHandler<GrantWelcomeBonusOnce> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  async execute({ accountId }: GrantWelcomeBonusOnce): Promise<void> {
    const account = await this.accounts.load(accountId);
    account.deposit(WELCOME_BONUS);
    await rivalDeposit(this.accounts, accountId);
    await this.accounts.save(account);
  }
}

beforeEach(() => {
  record.attempts = [];
  record.retries = [];
  record.sleeps = [];
});

describe('@RetryOnConflict on command handlers', () => {
  let app: TestingModule;
  let accounts: AggregateRepository<BankAccount>;
  let commandBus: CommandBus;

  beforeAll(async () => {
    app = await startInMemoryApp({
      features: [{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }],
      providers: [
        DepositRacedOnceHandler,
        DepositAlwaysRacedHandler,
        WithdrawHandler,
        WelcomeSagas,
        GrantWelcomeBonusHandler,
        GrantWelcomeBonusOnceHandler,
      ],
    });
    accounts = repositoryOf(app, BankAccount);
    commandBus = app.get(CommandBus);
  });
  afterAll(() => app.close());

  async function openAccount(owner = 'Ada', id = randomUUID()): Promise<string> {
    const account = await accounts.load(id);
    account.open(owner);
    await accounts.save(account);
    return id;
  }

  function depositOf(accountId: string, amount: number): Promise<MoneyDeposited> {
    return firstValueFrom(
      app.get(EventBus).pipe(
        ofType(MoneyDeposited),
        filter((event) => event.accountId === accountId && event.amount === amount),
      ),
    );
  }

  it('loads, decides and saves again after losing a race, and the command resolves', async () => {
    const id = await openAccount();

    const balance = await commandBus.execute(new DepositRacedOnce(id, 10));

    expect(balance).toBe(100 + 10);
    const stored = await accounts.load(id);
    expect(stored.balance).toBe(100 + 10);
    expect(accounts.versionOf(stored)).toBe(3);
    expect(record.attempts.map(({ attempt }) => attempt)).toEqual([1, 2]);
    expect(record.retries).toEqual([
      { error: expect.any(ConcurrencyError), attempt: 1, delayMs: DEFAULT_BACKOFF.baseDelayMs },
    ]);
    expect(record.sleeps).toEqual([DEFAULT_BACKOFF.baseDelayMs]);
  });

  it('gives up after maxAttempts with the last ConcurrencyError, unwrapped', async () => {
    const id = await openAccount();

    const error = await commandBus.execute(new DepositAlwaysRaced(id)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(conflictRetryAttempts(error)).toBe(3);
    expect(record.attempts.map(({ attempt, maxAttempts }) => [attempt, maxAttempts])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(record.retries.map(({ attempt }) => attempt)).toEqual([1, 2]);
    // Each attempt loaded one rival deposit later than the one before: the error is the third attempt's.
    expect((error as ConcurrencyError).expectedVersion).toBe(3);
    expect(record.retries.map(({ error }) => (error as ConcurrencyError).expectedVersion)).toEqual([
      1, 2,
    ]);
    expect((await accounts.load(id)).balance).toBe(3 * 100);
  });

  it('does not retry an error other than a conflict', async () => {
    const id = await openAccount();

    const error = await commandBus.execute(new Withdraw(id, 1_000)).catch((e: unknown) => e);

    expect(error).toEqual(new Error(`insufficient funds in ${id}`));
    expect(conflictRetryAttempts(error)).toBe(1);
    expect(record.attempts).toHaveLength(1);
    expect(record.retries).toEqual([]);
    expect(record.sleeps).toEqual([]);
  });

  it('retries the command a saga sends, so that its effect lands', async () => {
    const id = randomUUID();
    const bonus = depositOf(id, WELCOME_BONUS);
    // Fails at once, rather than at the timeout, if the saga's command is dropped.
    const dropped = firstValueFrom(app.get(UnhandledExceptionBus)).then(({ exception }) => {
      throw exception;
    });

    await openAccount(BONUS_OWNER.retried, id);
    await Promise.race([bonus, dropped]);

    expect(record.attempts.map(({ attempt }) => attempt)).toEqual([1, 2]);
    expect(record.retries).toEqual([
      { error: expect.any(ConcurrencyError), attempt: 1, delayMs: expect.any(Number) },
    ]);
    expect((await accounts.load(id)).balance).toBe(100 + WELCOME_BONUS);
  });

  it('(without it, @nestjs/cqrs logs the saga command’s conflict and drops the command)', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const dropped = firstValueFrom(app.get(UnhandledExceptionBus));

      const id = await openAccount(BONUS_OWNER.once);
      const { cause, exception } = await dropped;

      expect(cause).toBeInstanceOf(GrantWelcomeBonusOnce);
      expect(exception).toBeInstanceOf(ConcurrencyError);
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('triggered by Saga'),
        expect.any(ConcurrencyError),
      );
      expect((await accounts.load(id)).balance).toBe(100);
    } finally {
      logged.mockRestore();
    }
  });
});

describe('retryOnConflict', () => {
  const conflict = (version = 1) => new ConcurrencyError('Account-1', version, version + 1);

  /** Conflicts on every attempt; resolves with the delays retryOnConflict chose, in order. */
  async function delaysOf(options: RetryOnConflictOptions): Promise<number[]> {
    const delays: number[] = [];
    await expect(
      retryOnConflict(() => Promise.reject(conflict()), {
        sleep: recordedSleep,
        onRetry: (_error, _attempt, delayMs) => delays.push(delayMs),
        ...options,
      }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(record.sleeps).toEqual(delays);
    record.sleeps = [];
    return delays;
  }

  it('passes the attempt number and resolves with the first attempt that succeeds', async () => {
    const seen: number[] = [];
    const result = await retryOnConflict(
      (attempt) => {
        seen.push(attempt);
        return attempt < 3 ? Promise.reject(conflict(attempt)) : Promise.resolve('saved');
      },
      { sleep: recordedSleep },
    );

    expect(result).toBe('saved');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('makes 5 attempts by default', async () => {
    expect(await delaysOf({})).toHaveLength(DEFAULT_BACKOFF.maxAttempts - 1);
  });

  it('doubles the ceiling of each delay from baseDelayMs up to maxDelayMs', async () => {
    expect(await delaysOf({ maxAttempts: 9, random: () => 1 })).toEqual([
      20, 40, 80, 160, 320, 640, 1000, 1000,
    ]);
    expect(
      await delaysOf({ maxAttempts: 5, baseDelayMs: 3, maxDelayMs: 10, random: () => 1 }),
    ).toEqual([3, 6, 10, 10]);
  });

  it('draws each delay between 0 and its ceiling (full jitter)', async () => {
    expect(await delaysOf({ maxAttempts: 5, random: () => 0 })).toEqual([0, 0, 0, 0]);

    const options = { maxAttempts: 9 };
    const delays = await delaysOf({ ...options, random: seededRandom(7) });
    const ceilings = [20, 40, 80, 160, 320, 640, 1000, 1000];
    delays.forEach((delayMs, index) => {
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(ceilings[index]!);
    });
    expect(new Set(delays.map((delayMs, index) => delayMs / ceilings[index]!)).size).toBe(8);
    expect(await delaysOf({ ...options, random: seededRandom(7) })).toEqual(delays);
  });

  it('waits 0 ms throughout with a baseDelayMs of 0, however many attempts', async () => {
    expect(await delaysOf({ maxAttempts: 1_200, baseDelayMs: 0 })).toEqual(
      new Array<number>(1_199).fill(0),
    );
  });

  it('retries the errors retryIf accepts besides conflicts, and no others', async () => {
    class Throttled extends Error {}
    const errors = [new Throttled(), conflict(), new Error('bad input')];
    const attempts: number[] = [];

    const error = await retryOnConflict(
      (attempt) => {
        attempts.push(attempt);
        return Promise.reject(errors[attempt - 1]!);
      },
      { sleep: recordedSleep, retryIf: (e) => e instanceof Throttled },
    ).catch((e: unknown) => e);

    expect(error).toBe(errors[2]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(conflictRetryAttempts(error)).toBe(3);
  });

  it('retries an attempt that throws synchronously', async () => {
    let calls = 0;
    const attempt = (): Promise<string> => {
      calls += 1;
      if (calls === 1) throw conflict();
      return Promise.resolve('saved');
    };

    await expect(retryOnConflict(attempt, { sleep: recordedSleep })).resolves.toBe('saved');
  });

  it('exposes the attempt, the limits, the backoff and the sleep through currentConflictRetry()', async () => {
    const scopes: ConflictRetryScope[] = [];
    expect(currentConflictRetry()).toBeUndefined();

    await retryOnConflict(
      async (attempt) => {
        await Promise.resolve();
        scopes.push(currentConflictRetry()!);
        if (attempt === 1) throw conflict();
      },
      { maxAttempts: 4, unknownOutcomeAttempts: 7, random: () => 1, sleep: recordedSleep },
    );

    expect(currentConflictRetry()).toBeUndefined();
    expect(scopes.map(({ attempt }) => attempt)).toEqual([1, 2]);
    const [scope] = scopes;
    expect(scope).toMatchObject({ maxAttempts: 4, unknownOutcomeAttempts: 7, signal: undefined });
    expect([1, 2, 3, 4, 5, 6, 7].map((failed) => scope!.backoff(failed))).toEqual([
      20, 40, 80, 160, 320, 640, 1000,
    ]);
    await scope!.sleep(33);
    expect(record.sleeps).toEqual([20, 33]);
  });

  it('has unknownOutcomeAttempts 3 by default, and the innermost scope wins when nested', async () => {
    const seen: [number, number][] = [];
    const look = () => {
      const { maxAttempts, unknownOutcomeAttempts } = currentConflictRetry()!;
      seen.push([maxAttempts, unknownOutcomeAttempts]);
    };

    await retryOnConflict(async () => {
      look();
      await retryOnConflict(() => Promise.resolve(look()), { maxAttempts: 2 });
      look();
    });

    expect(seen).toEqual([
      [5, 3],
      [2, 3],
      [5, 3],
    ]);
  });

  it('stops when the signal aborts during a backoff, with the signal’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    let attempts = 0;

    const started = Date.now();
    const error = await retryOnConflict(
      () => {
        attempts += 1;
        return Promise.reject(conflict());
      },
      {
        baseDelayMs: 60_000,
        random: () => 1,
        signal: controller.signal,
        onRetry: () => setImmediate(() => controller.abort(reason)),
      },
    ).catch((e: unknown) => e);

    expect(error).toBe(reason);
    expect(attempts).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('starts no attempt once the signal is aborted', async () => {
    const reason = new Error('gone');
    const attempt = jest.fn(() => Promise.resolve());

    await expect(retryOnConflict(attempt, { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    expect(attempt).not.toHaveBeenCalled();
  });

  it.each<[string, RetryOnConflictOptions]>([
    ['maxAttempts', { maxAttempts: 0 }],
    ['maxAttempts', { maxAttempts: 1.5 }],
    ['baseDelayMs', { baseDelayMs: -1 }],
    ['maxDelayMs', { maxDelayMs: Number.NaN }],
    ['unknownOutcomeAttempts', { unknownOutcomeAttempts: 0 }],
  ])('refuses an invalid %s before the first attempt', async (name, options) => {
    const attempt = jest.fn(() => Promise.resolve());

    await expect(retryOnConflict(attempt, options)).rejects.toThrow(
      new RegExp(`^Invalid ${name} `),
    );
    await expect(retryOnConflict(attempt, options)).rejects.toBeInstanceOf(RangeError);
    expect(attempt).not.toHaveBeenCalled();
    expect(() => RetryOnConflict(options)).toThrow(RangeError);
  });
});

describe('@RetryOnConflict on a method', () => {
  const ROLE = 'test:role';

  class Handler {
    calls = 0;

    constructor(readonly label: string) {}

    @RetryOnConflict({ sleep: recordedSleep })
    @SetMetadata(ROLE, 'teller')
    async execute(amount: number): Promise<string> {
      await Promise.resolve();
      this.calls += 1;
      if (this.calls === 1) throw new ConcurrencyError('Account-1', 1, 2);
      return `${this.label}:${amount}:${currentConflictRetry()?.attempt}`;
    }
  }

  it('keeps `this`, the arguments and the result', async () => {
    const handler = new Handler('a');

    expect(await handler.execute(5)).toBe('a:5:2');
    expect(handler.calls).toBe(2);
  });

  it('keeps the name and the metadata of the method', () => {
    const { value: execute } = Object.getOwnPropertyDescriptor(Handler.prototype, 'execute')!;

    expect(execute.name).toBe('execute');
    expect(Reflect.getMetadata(ROLE, execute)).toBe('teller');
    expect(Reflect.getMetadata('design:paramtypes', Handler.prototype, 'execute')).toEqual([
      Number,
    ]);
  });

  it('refuses what is not a method', () => {
    const decorate = RetryOnConflict();
    const getter: TypedPropertyDescriptor<() => Promise<number>> = {
      get: () => () => Promise.resolve(1),
    };

    expect(() => decorate({}, 'balance', getter)).toThrow(TypeError);
  });
});
