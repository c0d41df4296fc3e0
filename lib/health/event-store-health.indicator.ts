import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { EventStore } from '../core/event-store.js';
import { DynamoEventStore } from '../dynamodb/dynamodb-event-store.js';
import { TableCheckError } from '../dynamodb/errors.js';
import { checkTables, eventsTableChecked } from '../dynamodb/table-check.js';
import { DYNAMODB_CLIENT, EVENT_STORE } from '../nest/event-store.token.js';
import { ProjectionCatalog } from '../projections/nest/projection-catalog.js';
import { VIEW_STORE } from '../projections/nest/projection-tokens.js';
import { Projections } from '../projections/nest/projections.service.js';
import { StreamRunnerHost } from '../projections/nest/stream-runner-host.js';
import type { ViewStore } from '../projections/views/view-store.js';
import {
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_MAX_LAG_MS,
  type EventsTableHealthOptions,
  type ProjectionsHealthOptions,
} from './health-options.js';
import { readProjectionsHealth } from './projections-health.js';

/**
 * Health indicators for @nestjs/terminus: the events table, and the projections. Each answers `up` or `down` with
 * the details that say why, and never throws, so that HealthCheckService answers 503 rather than 500 when one is
 * down.
 */
@Injectable()
export class EventStoreHealthIndicator {
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Optional() @Inject(DYNAMODB_CLIENT) private readonly client?: DynamoDBClient,
    @Optional() private readonly projectionsService?: Projections,
    @Optional() private readonly catalog?: ProjectionCatalog,
    @Optional() @Inject(VIEW_STORE) private readonly views?: ViewStore,
    @Optional() private readonly runnerHost?: StreamRunnerHost,
  ) {}

  /**
   * The events table: reachable with the client's credentials, existing with the store's key schema, and ACTIVE (or
   * UPDATING, in which DynamoDB serves it too), checked with one DescribeTable, as the startup check does. Down with
   * `table`, `problem` (a TableCheckProblem, or `timeout`) and `reason`, which says how to fix it. The in-memory
   * store is always up.
   */
  async isHealthy(
    key = 'eventStore',
    options: EventsTableHealthOptions = {},
  ): Promise<HealthIndicatorResult> {
    const indicator = this.healthIndicatorService.check(key);
    const { eventStore, client } = this;
    if (!(eventStore instanceof DynamoEventStore) || !client)
      return indicator.up({ store: eventStore.constructor.name });
    const table = eventStore.tableName;
    const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    try {
      await within(timeoutMs, checkTables(client, [eventsTableChecked(table)], table));
      return indicator.up({ table });
    } catch (error) {
      if (error instanceof TableCheckError)
        return indicator.down({ table, problem: error.problem, reason: error.message });
      if (error instanceof TimedOut)
        return indicator.down({
          table,
          problem: 'timeout',
          reason: `DynamoDB did not describe the events table "${table}" within ${timeoutMs} ms.`,
        });
      return indicator.down({ table, problem: 'check-failed', reason: messageOf(error) });
    }
  }

  /**
   * Every projection: its parked streams against `maxParked`, its served generation, and the rebuild in progress if
   * any (its generation, start and checkpointed progress), with the stream runner's lag against `maxLagMs` where
   * this instance runs one. Down with `reasons` when a threshold is exceeded or the state cannot be read. A rebuild
   * in progress does not make it down.
   */
  async projections(
    key = 'projections',
    options: ProjectionsHealthOptions = {},
  ): Promise<HealthIndicatorResult> {
    const indicator = this.healthIndicatorService.check(key);
    const { projectionsService, catalog, views } = this;
    if (!projectionsService || !catalog || !views)
      return indicator.down({
        reasons: [
          'No projections in this application: import DynamoProjectionsModule.forRoot() (or ' +
            'InMemoryProjectionsModule.forRoot()), or leave this check out.',
        ],
      });
    const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    try {
      const health = await within(
        timeoutMs,
        readProjectionsHealth({
          projections: projectionsService,
          names: catalog.definitions().map(({ name }) => name),
          views,
          runner: this.runnerHost?.status(),
          maxLagMs: options.maxLagMs ?? DEFAULT_MAX_LAG_MS,
          maxParked: options.maxParked ?? 0,
        }),
      );
      const { reasons, ...details } = health;
      return reasons.length === 0 ? indicator.up(details) : indicator.down({ ...details, reasons });
    } catch (error) {
      return indicator.down({
        reasons: [
          error instanceof TimedOut
            ? `The projections' state was not read within ${timeoutMs} ms.`
            : `Could not read the projections' state: ${messageOf(error)}`,
        ],
      });
    }
  }
}

class TimedOut extends Error {}

/** The work's outcome, or TimedOut after `ms`; the work itself goes on, its outcome ignored. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
