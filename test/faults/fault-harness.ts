import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import type { TestingModule } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type AggregateRepository,
  DynamoEventStore,
  type DynamoEventStoreModuleOptions,
  getEventEnvelope,
} from '../../lib/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  type BankAccountEvent,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';
import { FaultProxy } from '../fault-proxy/fault-proxy.js';
import { createTestTable, isolatedEndpoint } from '../support/dynamodb.js';
import { repositoryOf, startEventStoreApp } from '../support/event-store-app.js';

/** Counts how often the EventBus delivered each stored event, by event id. */
@EventsHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
export class DeliveryCounter implements IEventHandler<BankAccountEvent> {
  static readonly deliveries = new Map<string, number>();

  handle(event: BankAccountEvent): void {
    const eventId = getEventEnvelope(event)?.eventId ?? 'no envelope';
    DeliveryCounter.deliveries.set(eventId, (DeliveryCounter.deliveries.get(eventId) ?? 0) + 1);
  }
}

export const SNAPSHOT_EVERY = 10;

/**
 * The store wired through a fault-injecting proxy to the local endpoint, and a direct view of the same table to
 * check what was really written.
 */
export class FaultHarness {
  private constructor(
    readonly proxy: FaultProxy,
    readonly app: TestingModule,
    readonly accounts: AggregateRepository<BankAccount>,
    /** Reads the table directly, past the proxy. */
    readonly truth: DynamoEventStore,
    private readonly direct: DynamoDBClient,
    private readonly endpoint: { stop(): Promise<void> },
  ) {}

  static async start(options: Partial<DynamoEventStoreModuleOptions> = {}): Promise<FaultHarness> {
    // The request timeout tells a lost answer from a slow one only on an endpoint no other test file keeps busy.
    const endpoint = await isolatedEndpoint();
    const direct = new DynamoDBClient(endpoint.clientConfig);
    const tableName = await createTestTable(direct);
    const proxy = await FaultProxy.start(endpoint.clientConfig.endpoint as string);
    const app = await startEventStoreApp({
      tableName,
      features: [
        {
          aggregate: BankAccount,
          events: BANK_ACCOUNT_EVENTS,
          snapshot: { every: SNAPSHOT_EVERY },
        },
      ],
      providers: [DeliveryCounter],
      moduleOptions: {
        requestTimeoutMs: 500,
        retryBackoff: () => 5,
        ...options,
        clientConfig: {
          ...endpoint.clientConfig,
          endpoint: proxy.endpoint,
          ...options.clientConfig,
        },
      },
    });
    return new FaultHarness(
      proxy,
      app,
      repositoryOf(app, BankAccount),
      new DynamoEventStore({ client: direct, tableName }),
      direct,
      endpoint,
    );
  }

  /** An open account whose stream is at `version`, its events delivered. */
  async accountAt(version: number): Promise<BankAccount> {
    const account = await this.accounts.load(crypto.randomUUID());
    account.open('Ada');
    for (let v = 2; v <= version; v++) account.deposit(1);
    await this.accounts.save(account);
    return account;
  }

  /** The account's stream as stored, read past the proxy. */
  stored(account: BankAccount | string) {
    const id = typeof account === 'string' ? account : account.id;
    return lastValueFrom(this.truth.readStream(`BankAccount#${id}`).pipe(toArray()));
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.proxy.stop();
    this.direct.destroy();
    await this.endpoint.stop();
  }
}
