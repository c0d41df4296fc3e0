import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import type { DeserializeMiddleware } from '@smithy/types';
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemSize } from 'nestjs-dynamo-es';

/** One request as DynamoDB would bill it. */
export interface MeteredRequest {
  readonly command: string;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Bytes of the items written or read, by DynamoDB's count. */
  readonly bytes: number;
  /** The items a Query returned: their sort key, the version a snapshot is at, and their size. */
  readonly itemsRead: readonly ItemRead[];
}

export interface ItemRead {
  readonly version: number;
  readonly snapshotVersion?: number;
  readonly bytes: number;
}

type Item = Record<string, AttributeValue>;
const KB = 1024;
const READ_UNIT_BYTES = 4 * KB;

/**
 * Counts the requests a client sends and the capacity DynamoDB would charge for each, computed from the sizes of
 * the items written and read (local endpoints report none): a plain or conditional write 1 WCU per KB of each
 * item, a transactional write 2; a strongly consistent Query 1 RCU per 4 KB of all the items it returns, rounded
 * up once per request (an eventually consistent one half that), never less than one unit.
 */
export class CapacityMeter {
  readonly requests: MeteredRequest[] = [];

  private constructor(private readonly sizingClient: DynamoDBClient) {}

  /**
   * @param sizingClient a client of the same endpoint, not metered. DynamoDB charges a Query by the full size of the
   * items it reads, whatever its ProjectionExpression returns: a projected Query is sent again without projection
   * through this client to learn those sizes.
   */
  static attachTo(client: DynamoDBClient, sizingClient: DynamoDBClient): CapacityMeter {
    const meter = new CapacityMeter(sizingClient);
    // Just outside the deserializer: the output is parsed. Whether items are still in attribute-value form here
    // depends on the client (the DocumentClient converts them while deserialising), so both forms are measured.
    const measure: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next, context) => async (args) => {
        const result = await next(args);
        await meter.record(
          context.commandName ?? 'unknown',
          args.input as Record<string, unknown>,
          result.output as unknown as Record<string, unknown>,
        );
        return result;
      };
    client.middlewareStack.addRelativeTo(measure, {
      relation: 'before',
      toMiddleware: 'deserializerMiddleware',
      name: 'capacityMeter',
    });
    return meter;
  }

  /** Measures what `work` sends. */
  async measure(work: () => Promise<unknown>): Promise<MeteredRequest[]> {
    const first = this.requests.length;
    await work();
    return this.requests.slice(first);
  }

  private async record(
    command: string,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
  ): Promise<void> {
    const size = (item: Item) => itemSize(wireItem(item));
    switch (command) {
      case 'PutItemCommand': {
        const bytes = size(input.Item as Item);
        this.requests.push({
          command,
          readUnits: 0,
          writeUnits: Math.ceil(bytes / KB),
          bytes,
          itemsRead: [],
        });
        return;
      }
      case 'TransactWriteItemsCommand': {
        const items = (input.TransactItems as { Put?: { Item: Item } }[]).map((action) =>
          size(action.Put!.Item),
        );
        this.requests.push({
          command,
          readUnits: 0,
          writeUnits: items.reduce((units, bytes) => units + 2 * Math.ceil(bytes / KB), 0),
          bytes: sum(items),
          itemsRead: [],
        });
        return;
      }
      case 'QueryCommand': {
        const returned = (output.Items as Item[] | undefined) ?? [];
        const items = input.ProjectionExpression ? await this.fullItems(input, returned) : returned;
        const itemsRead = items.map((raw) => {
          const item = wireItem(raw);
          return {
            version: Number(item.version?.N),
            snapshotVersion: item.snapshotVersion ? Number(item.snapshotVersion.N) : undefined,
            bytes: itemSize(item),
          };
        });
        const bytes = sum(itemsRead.map((item) => item.bytes));
        const units = minimumReadUnits(bytes);
        this.requests.push({
          command,
          readUnits: input.ConsistentRead ? units : units / 2,
          writeUnits: 0,
          bytes,
          itemsRead,
        });
        return;
      }
      default:
        this.requests.push({ command, readUnits: 0, writeUnits: 0, bytes: 0, itemsRead: [] });
    }
  }

  /** The whole items behind a projected Query's page: the same query, unprojected, from the same start. */
  private async fullItems(input: Record<string, unknown>, returned: Item[]): Promise<Item[]> {
    const { ProjectionExpression, ...unprojected } = input as unknown as QueryCommandInput;
    const keyNames = Object.entries(unprojected.ExpressionAttributeNames ?? {}).filter(([name]) =>
      unprojected.KeyConditionExpression?.includes(name),
    );
    const { Items = [] } = await this.sizingClient.send(
      new QueryCommand({
        ...unprojected,
        ExpressionAttributeNames: Object.fromEntries(keyNames),
        Limit: returned.length || 1,
      }),
    );
    return returned.length === 0 ? [] : Items;
  }
}

export const sum = (values: readonly number[]): number =>
  values.reduce((total, value) => total + value, 0);

export const totals = (requests: readonly MeteredRequest[]) => ({
  requests: requests.length,
  readUnits: sum(requests.map((request) => request.readUnits)),
  writeUnits: sum(requests.map((request) => request.writeUnits)),
  bytes: sum(requests.map((request) => request.bytes)),
});

/** The read units of one strongly consistent Query returning exactly these bytes. */
export const minimumReadUnits = (bytes: number): number =>
  Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));

const ATTRIBUTE_VALUE_TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

function wireItem(item: Item | Record<string, unknown>): Item {
  const marshalled = Object.values(item).every((value) => {
    const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
    return keys.length === 1 && ATTRIBUTE_VALUE_TYPES.has(keys[0]!);
  });
  return marshalled ? (item as Item) : marshall(item);
}
