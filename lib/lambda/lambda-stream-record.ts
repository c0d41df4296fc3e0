import type { AttributeValue, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * A record of Lambda's DynamoDB stream event as the Streams API gives it, for the store's own decoder
 * (`storedEventsOf`). The fields are the same; only their JSON encoding differs: Lambda sends
 * `ApproximateCreationDateTime` in epoch seconds and binary values in base64, where the SDK gives a Date and bytes.
 * The new image is all that decoding reads of the item, so the keys and the old image are left behind.
 */
export function toStreamRecord(record: DynamoDBRecord): StreamRecord {
  const { dynamodb } = record;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    dynamodb: dynamodb && {
      SequenceNumber: dynamodb.SequenceNumber,
      ApproximateCreationDateTime:
        dynamodb.ApproximateCreationDateTime === undefined
          ? undefined
          : new Date(dynamodb.ApproximateCreationDateTime * 1000),
      NewImage: dynamodb.NewImage && toImage(dynamodb.NewImage),
    },
  };
}

function toImage(
  image: Readonly<Record<string, LambdaAttributeValue>>,
): Record<string, AttributeValue> {
  const converted: Record<string, AttributeValue> = {};
  for (const name in image) converted[name] = toAttributeValue(image[name]!);
  return converted;
}

function toAttributeValue(value: LambdaAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item, 'base64')) };
  if (value.L !== undefined) return { L: value.L.map(toAttributeValue) };
  if (value.M !== undefined) return { M: toImage(value.M) };
  // S, N, SS, NS, BOOL and NULL read the same in both encodings.
  return value;
}
