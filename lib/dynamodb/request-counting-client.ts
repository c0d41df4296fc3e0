import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { Tracing } from '../telemetry/tracing.js';

/** The commands the store sends that can report the capacity they consumed: asking costs nothing more. */
const REPORTING_CAPACITY = [
  QueryCommand,
  ScanCommand,
  GetItemCommand,
  PutItemCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  TransactWriteItemsCommand,
];

interface CapacityReport {
  readonly ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
}

/**
 * The client as the store sends with it under tracing: inside one of the library's recording spans, each request
 * asks DynamoDB for the capacity it consumed (ReturnConsumedCapacity TOTAL) and is counted on the span. The client
 * it was made from is not changed; outside a recording span, requests go out as they are.
 */
export function requestCountingClient(client: DynamoDBClient, tracing: Tracing): DynamoDBClient {
  const counting = Object.create(client) as DynamoDBClient;
  const send = async (command: Parameters<DynamoDBClient['send']>[0], options?: object) => {
    const operation = tracing.currentOperation();
    if (!operation) return client.send(command, options);
    if (REPORTING_CAPACITY.some((commandClass) => command instanceof commandClass)) {
      (command.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity ??= 'TOTAL';
    }
    try {
      const output = await client.send(command, options);
      operation.countRequest(capacityUnitsOf(output as CapacityReport));
      return output;
    } catch (error) {
      operation.countRequest(undefined);
      throw error;
    }
  };
  counting.send = send as DynamoDBClient['send'];
  return counting;
}

function capacityUnitsOf({ ConsumedCapacity }: CapacityReport): number | undefined {
  const reports = ConsumedCapacity === undefined ? [] : [ConsumedCapacity].flat();
  if (reports.length === 0) return undefined;
  return reports.reduce((sum, { CapacityUnits = 0 }) => sum + CapacityUnits, 0);
}
