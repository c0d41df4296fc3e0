import { Injectable } from '@nestjs/common';

export interface AccountSummary {
  readonly id: string;
  readonly owner: string;
  readonly balance: number;
}

/**
 * A read model: every account with its balance, kept up to date from published events. It lives in memory, so it
 * starts empty; a real application would persist it, e.g. from the table's DynamoDB Stream.
 */
@Injectable()
export class AccountDirectory {
  private readonly accounts = new Map<string, AccountSummary>();

  list(): AccountSummary[] {
    return [...this.accounts.values()];
  }

  opened(id: string, owner: string): void {
    this.accounts.set(id, { id, owner, balance: 0 });
  }

  balanceChanged(id: string, delta: number): void {
    const account = this.accounts.get(id);
    if (account) this.accounts.set(id, { ...account, balance: account.balance + delta });
  }
}
