export { createLeaseTable, type CreateLeaseTableOptions } from './create-lease-table.js';
export { LEASE_TABLE_ATTRIBUTES, SHARD_END, TRIM_HORIZON } from './lease-table-layout.js';
export { StreamNotEnabledError, StreamRunnerOptionsError } from './stream-errors.js';
export type { ShardRecords, ShardRecordsHandler, StreamRunnerLogger } from './stream-records.js';
export {
  StreamRunner,
  type StreamRunnerOptions,
  type StreamRunnerStatus,
} from './stream-runner.js';
