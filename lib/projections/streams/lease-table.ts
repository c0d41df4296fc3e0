import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { decodeLease, encodeLease, type Lease, type LeaseItem } from './lease-item.js';
import { LEASE_TABLE_ATTRIBUTES as A, SHARD_END } from './lease-table-layout.js';
import { isConditionFailure } from '../../dynamodb/sdk-errors.js';

/** Placeholders for every attribute name, so that no expression spells one (and none clashes with a reserved word). */
const NAMES = {
  '#key': A.leaseKey,
  '#owner': A.leaseOwner,
  '#counter': A.leaseCounter,
  '#checkpoint': A.checkpoint,
  '#updatedAt': A.updatedAt,
  '#handoff': A.handoffRequestedBy,
} as const;

type Placeholder = keyof typeof NAMES;

/**
 * The lease table's reads and writes. Every write is conditional, and every write that changes who may read a shard
 * or how far it was read also bumps the lease counter: a write conditioned on the owner and the counter a worker
 * last wrote therefore fails once anyone else wrote the lease (fencing). A failed condition is answered with
 * `undefined`, never thrown: for the caller it means "you no longer hold this lease".
 */
export class LeaseTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Every lease of the stream, strongly consistent. */
  async list(streamArn: string, abortSignal?: AbortSignal): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: LeaseItem | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
        { abortSignal },
      );
      for (const item of page.Items ?? []) {
        const lease = decodeLease(item);
        if (lease.streamArn === streamArn) leases.push(lease);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return leases;
  }

  /** Writes a new shard's lease unless the shard has one; whether it wrote it. */
  async create(lease: Lease): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: encodeLease(lease),
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: pick('#key'),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Deletes the lease of a shard that was read to its end and has left the stream (24 hours after it closed): no
   * child waits on it any more. Whether it deleted it.
   */
  async deleteFinished(lease: Lease): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [A.leaseKey]: { S: lease.leaseKey } },
          ConditionExpression: '#checkpoint = :end AND attribute_not_exists(#owner)',
          ExpressionAttributeNames: pick('#checkpoint', '#owner'),
          ExpressionAttributeValues: { ':end': { S: SHARD_END } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The owner's heartbeat. The answer carries any hand-off another worker asked for. */
  renew(lease: Lease): Promise<Lease | undefined> {
    return this.update(lease, {
      set: [],
      remove: [],
      condition: OWNED_AT_COUNTER,
    });
  }

  /**
   * Takes a lease that is unowned, expired (its counter unchanged for the failover time on the taker's clock) or
   * handed over: conditioned on the counter and owner the taker saw.
   */
  take(lease: Lease, workerId: string): Promise<Lease | undefined> {
    return this.update(lease, {
      set: ['#owner = :newOwner'],
      remove: ['#handoff'],
      condition:
        lease.leaseOwner === undefined
          ? '#counter = :counter AND attribute_not_exists(#owner)'
          : OWNED_AT_COUNTER,
      values: { ':newOwner': { S: workerId } },
    });
  }

  /** Records how far the owner has handled the shard. */
  checkpoint(lease: Lease, sequenceNumber: string): Promise<Lease | undefined> {
    return this.update(lease, {
      set: ['#checkpoint = :checkpoint'],
      remove: [],
      condition: OWNED_AT_COUNTER,
      values: { ':checkpoint': { S: sequenceNumber } },
    });
  }

  /** The shard was read to its end: nobody needs to own it any more, and its children may be read. */
  finish(lease: Lease): Promise<Lease | undefined> {
    return this.update(lease, {
      set: ['#checkpoint = :checkpoint'],
      remove: ['#owner', '#handoff'],
      condition: OWNED_AT_COUNTER,
      values: { ':checkpoint': { S: SHARD_END } },
    });
  }

  /** Gives the lease up, so that another worker takes it at once instead of after the failover time. */
  release(lease: Lease): Promise<Lease | undefined> {
    return this.update(lease, {
      set: [],
      remove: ['#owner', '#handoff'],
      condition: OWNED_AT_COUNTER,
    });
  }

  /** Hands the lease to the worker that asked for it. */
  transfer(lease: Lease, workerId: string): Promise<Lease | undefined> {
    return this.update(lease, {
      set: ['#owner = :newOwner'],
      remove: ['#handoff'],
      condition: `${OWNED_AT_COUNTER} AND #handoff = :newOwner`,
      values: { ':newOwner': { S: workerId } },
    });
  }

  /**
   * Asks the owner of a lease to hand it over after its batch in flight (how a worker below its share steals). It
   * leaves the counter alone, so the owner's renewals and checkpoints go on; whether the request was recorded.
   */
  async requestHandoff(lease: Lease, workerId: string): Promise<boolean> {
    if (lease.leaseOwner === undefined) return false;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [A.leaseKey]: { S: lease.leaseKey } },
          UpdateExpression: 'SET #handoff = :by',
          ConditionExpression: '#owner = :owner AND attribute_not_exists(#handoff)',
          ExpressionAttributeNames: pick('#owner', '#handoff'),
          ExpressionAttributeValues: { ':by': { S: workerId }, ':owner': { S: lease.leaseOwner } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async update(
    lease: Lease,
    change: {
      readonly set: readonly string[];
      readonly remove: readonly Placeholder[];
      readonly condition: string;
      readonly values?: Record<string, AttributeValue>;
    },
  ): Promise<Lease | undefined> {
    const set = ['#counter = #counter + :one', '#updatedAt = :now', ...change.set];
    const expression =
      `SET ${set.join(', ')}` + (change.remove.length ? ` REMOVE ${change.remove.join(', ')}` : '');
    // DynamoDB refuses names and values that the expressions do not use.
    const used = (pattern: RegExp) =>
      new Set([expression, change.condition].flatMap((text) => text.match(pattern) ?? []));
    const usedValues = used(/:\w+/g);
    const values: Record<string, AttributeValue> = {
      ':one': { N: '1' },
      ':now': { S: new Date().toISOString() },
      ':counter': { N: String(lease.leaseCounter) },
      ...(lease.leaseOwner === undefined ? {} : { ':owner': { S: lease.leaseOwner } }),
      ...change.values,
    };
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [A.leaseKey]: { S: lease.leaseKey } },
          UpdateExpression: expression,
          ConditionExpression: change.condition,
          ExpressionAttributeNames: pick(...(used(/#\w+/g) as Set<Placeholder>)),
          ExpressionAttributeValues: Object.fromEntries(
            Object.entries(values).filter(([placeholder]) => usedValues.has(placeholder)),
          ),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? decodeLease(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

const OWNED_AT_COUNTER = '#owner = :owner AND #counter = :counter';

function pick(...placeholders: readonly Placeholder[]): Record<string, string> {
  return Object.fromEntries(placeholders.map((placeholder) => [placeholder, NAMES[placeholder]]));
}
