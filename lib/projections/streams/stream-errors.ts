import { EventStoreError } from '../../core/errors.js';

/** The events table has no DynamoDB stream with new images, so there is nothing for projections to read. */
export class StreamNotEnabledError extends EventStoreError {
  constructor(
    readonly tableName: string,
    /** The table's stream view type, when it has a stream that carries no new images (KEYS_ONLY, OLD_IMAGE). */
    readonly streamViewType?: string,
  ) {
    super(
      `Table "${tableName}" ` +
        (streamViewType === undefined
          ? 'has no DynamoDB stream enabled'
          : `has a DynamoDB stream of view type ${streamViewType}, without new images`) +
        '. Projections read new images from the stream: enable it with view type NEW_IMAGE ' +
        `(aws dynamodb update-table --table-name ${tableName} ` +
        '--stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE; createEventStoreTable does this ' +
        'for a new table).',
    );
  }
}

/** Stream runner options that cannot work together, e.g. a renew interval not shorter than the failover time. */
export class StreamRunnerOptionsError extends EventStoreError {
  constructor(readonly reason: string) {
    super(`Invalid stream runner options: ${reason}.`);
  }
}
