/** Default of `timeoutMs`: a health endpoint must answer before its caller (a load balancer) gives up. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 5000;

/** Default of `maxLagMs`: the stream runner handles records within a second or so when it keeps up. */
export const DEFAULT_MAX_LAG_MS = 60_000;

export interface EventsTableHealthOptions {
  /** Reports the table down when DescribeTable has not answered by then. Default 5000. */
  readonly timeoutMs?: number;
}

export interface ProjectionsHealthOptions {
  /**
   * The projections are down once the stream runner of this instance handled a record older than this. Default
   * 60000. Measured only where the runner runs and owns a shard (not in a Lambda deployment, nor on an instance with
   * `runner: false`); elsewhere the result has no `lagMs`.
   */
  readonly maxLagMs?: number;
  /**
   * A projection is down once it has more parked streams than this. Default 0: a parked event holds back its
   * stream's later events in that projection until it is fixed and replayed.
   */
  readonly maxParked?: number;
  /** Reports the projections down when their state has not been read by then. Default 5000. */
  readonly timeoutMs?: number;
}
