import { randomUUID } from 'node:crypto';
import {
  Agent,
  type ClientRequest,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as forwardRequest,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Destroys the client's socket without forwarding: nothing reached DynamoDB. */
  | { kind: 'drop-before' }
  /**
   * Forwards, waits for DynamoDB's complete answer, then destroys the client's socket: the write happened, the answer
   * is lost.
   */
  | { kind: 'drop-after' }
  /** Answers 500 InternalServerError without forwarding. */
  | { kind: 'status-500' }
  /** Answers 400 ProvisionedThroughputExceededException without forwarding. */
  | { kind: 'throttle' }
  /** Waits, then forwards and answers normally; the request reaches DynamoDB even if the client gave up meanwhile. */
  | { kind: 'delay'; ms: number }
  /**
   * Answers 400 TransactionCanceledException, one TransactionConflict reason per TransactItems entry, without
   * forwarding.
   */
  | { kind: 'transaction-conflict' }
  /**
   * Answers 400 with one of DynamoDB's refusals of who sent the request, without forwarding: moto accepts any
   * credentials and allows every action.
   */
  | { kind: 'refuse'; error: Refusal };

/**
 * DynamoDB's refusals: of credentials it does not accept (an unknown key, a wrong secret, an expired session), and
 * of an identity it knows whose policies do not allow the action.
 */
export type Refusal =
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'ExpiredTokenException'
  | 'AccessDeniedException';

export interface FaultRule {
  /** The DynamoDB operation, e.g. 'PutItem'; '*' for any. */
  readonly operation: string;
  readonly fault: Fault;
  /** How many matching requests get the fault; default 1. Infinity for all. */
  readonly times?: number;
  /** Matching requests to let through before the fault applies; default 0. */
  readonly after?: number;
}

export interface FaultRecord {
  readonly operation: string;
  readonly fault: Fault['kind'];
  /** Date.now() when the fault was chosen. */
  readonly at: number;
}

interface RandomFaults {
  readonly operations: readonly string[];
  /** Chance (0..1) that a request of one of the operations gets a fault. */
  readonly probability: number;
  /** The fault is picked uniformly from these. */
  readonly faults: readonly Fault[];
  /** Faults applied at most, in all. */
  readonly limit: number;
  /** A seeded source, so that a failing soak run can be replayed. */
  readonly random: () => number;
}

interface PendingRule {
  readonly operation: string;
  readonly fault: Fault;
  timesLeft: number;
  passesLeft: number;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** As DynamoDB words them; AccessDeniedException names the action and the table's ARN, filled in per request. */
const REFUSAL_MESSAGES: Readonly<Record<Refusal, string>> = {
  UnrecognizedClientException: 'The security token included in the request is invalid.',
  InvalidSignatureException:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret ' +
    'Access Key and signing method. Consult the service documentation for details.',
  ExpiredTokenException: 'The security token included in the request is expired',
  AccessDeniedException:
    'User: arn:aws:iam::123456789012:user/app is not authorized to perform: dynamodb:{operation} on resource: ' +
    'arn:aws:dynamodb:us-east-1:123456789012:table/{table} because no identity-based policy allows the ' +
    'dynamodb:{operation} action',
};
const CORAL_NAMESPACE = 'com.amazon.coral.service';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
/** Per connection, not per message: the proxy's own connections to the client and to DynamoDB decide these. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'expect', 'upgrade']);

/**
 * An HTTP proxy between the AWS SDK and a DynamoDB endpoint that forwards requests faithfully (the SigV4 signature
 * covers the host header and the body, so both pass unchanged) and injects faults per operation, as the network and
 * DynamoDB produce them: lost connections before and after the write, 500s, throttling, slow answers and transaction
 * conflicts.
 */
export class FaultProxy {
  private readonly rules: PendingRule[] = [];
  private randomFaults?: RandomFaults & { applied: number };
  private readonly records: FaultRecord[] = [];
  private requestCount = 0;
  private readonly sockets = new Set<Socket>();
  private readonly forwarding = new Set<ClientRequest>();
  private readonly delays = new Set<NodeJS.Timeout>();
  private readonly agent = new Agent({ keepAlive: true });
  private stopped?: Promise<void>;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `target`, e.g. 'http://127.0.0.1:8000'. */
  static async start(target: string): Promise<FaultProxy> {
    const server = createServer();
    // Longer than any pause in a test, so that the only connections lost are the ones a fault drops.
    server.keepAliveTimeout = 60_000;
    const proxy = new FaultProxy(server, new URL(target));
    server.on('connection', (socket) => proxy.track(socket));
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      proxy.handle(request, response),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every fault applied so far, in order. */
  get injected(): readonly FaultRecord[] {
    return this.records;
  }

  /** Requests seen, faulted or not. */
  get requests(): number {
    return this.requestCount;
  }

  /**
   * Rules are consumed in the order added: a request is decided by the first pending rule for its operation, which
   * either lets it through (while `after` lasts) or faults it (while `times` lasts), then gives way to the next.
   */
  inject(rule: FaultRule): void {
    const times = rule.times ?? 1;
    const after = rule.after ?? 0;
    if (!(times >= 1) || !(after >= 0))
      throw new RangeError(
        `A fault rule needs times >= 1 and after >= 0, got ${times} and ${after}`,
      );
    this.rules.push({
      operation: rule.operation,
      fault: rule.fault,
      timesLeft: times,
      passesLeft: after,
    });
  }

  /** For soak tests; explicit rules go first. */
  injectRandomly(options: RandomFaults): void {
    if (options.faults.length === 0)
      throw new RangeError('injectRandomly needs at least one fault');
    this.randomFaults = { ...options, applied: 0 };
  }

  /** Drops pending rules and random injection; the records stay. */
  clear(): void {
    this.rules.length = 0;
    this.randomFaults = undefined;
  }

  /** Closes the server and every open connection, also idle keep-alive ones, and cancels delayed requests. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.clear();
      for (const timer of this.delays) clearTimeout(timer);
      this.delays.clear();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      for (const request of this.forwarding) request.destroy();
      this.agent.destroy();
    });
    return this.stopped;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    // A client that resets the connection must not bring down the proxy.
    socket.on('error', () => {});
    socket.once('close', () => this.sockets.delete(socket));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.requestCount += 1;
    request.on('error', () => {});
    response.on('error', () => {});
    const operation = operationOf(request.headers);
    const fault = this.faultFor(operation);
    if (fault) this.records.push({ operation, fault: fault.kind, at: Date.now() });

    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      if (this.stopped) return;
      const body = Buffer.concat(chunks);
      switch (fault?.kind) {
        case undefined:
          return this.forward(request, body, (answer) => relay(response, answer));
        case 'drop-before':
          return request.socket.destroy();
        case 'drop-after':
          return this.forward(request, body, () => request.socket.destroy());
        case 'status-500':
          return answerError(response, 500, {
            __type: `${ERROR_NAMESPACE}#InternalServerError`,
            message: 'The server encountered an internal error trying to fulfill the request.',
          });
        case 'throttle':
          return answerError(response, 400, {
            __type: `${ERROR_NAMESPACE}#ProvisionedThroughputExceededException`,
            message:
              'The level of configured provisioned throughput for the table was exceeded. ' +
              'Consider increasing your provisioning level with the UpdateTable API.',
          });
        case 'transaction-conflict':
          return answerError(response, 400, transactionConflict(body));
        case 'refuse':
          return answerError(response, 400, {
            __type: `${CORAL_NAMESPACE}#${fault.error}`,
            message: REFUSAL_MESSAGES[fault.error]
              .replaceAll('{operation}', operation)
              .replaceAll('{table}', tableNameOf(body)),
          });
        case 'delay': {
          const timer = setTimeout(() => {
            this.delays.delete(timer);
            this.forward(request, body, (answer) => relay(response, answer));
          }, fault.ms);
          this.delays.add(timer);
          return;
        }
      }
    });
  }

  private faultFor(operation: string): Fault | undefined {
    const index = this.rules.findIndex(
      (rule) => rule.operation === '*' || rule.operation === operation,
    );
    const rule = this.rules[index];
    if (rule) {
      if (rule.passesLeft > 0) {
        rule.passesLeft -= 1;
        return undefined;
      }
      rule.timesLeft -= 1;
      if (rule.timesLeft <= 0) this.rules.splice(index, 1);
      return rule.fault;
    }
    const random = this.randomFaults;
    if (!random || random.applied >= random.limit) return undefined;
    if (!random.operations.includes(operation) && !random.operations.includes('*'))
      return undefined;
    if (random.random() >= random.probability) return undefined;
    random.applied += 1;
    return random.faults[
      Math.min(Math.floor(random.random() * random.faults.length), random.faults.length - 1)
    ];
  }

  /** Sends the request on to the target and hands over its complete answer; a failed forward answers 502. */
  private forward(
    request: IncomingMessage,
    body: Buffer,
    onAnswer: (answer: Answer) => void,
  ): void {
    const headers = withoutHopByHop(request.headers);
    // As received when the client sent one; the body was buffered, so a chunked one now has a known length.
    headers['content-length'] ??= String(body.length);
    const upstream = forwardRequest({
      protocol: this.target.protocol,
      hostname: this.target.hostname,
      port: this.target.port,
      method: request.method,
      path: request.url,
      headers,
      agent: this.agent,
    });
    this.forwarding.add(upstream);
    upstream.once('close', () => this.forwarding.delete(upstream));
    upstream.once('error', (error) => {
      if (this.stopped) return;
      onAnswer({
        status: 502,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from(`fault proxy: ${error.message}`),
      });
    });
    upstream.once('response', (answer) => {
      const chunks: Buffer[] = [];
      answer.on('error', () => {});
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.once('end', () =>
        onAnswer({
          status: answer.statusCode ?? 502,
          headers: answer.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    upstream.end(body);
  }
}

/** 'DynamoDB_20120810.PutItem' → 'PutItem'. */
function operationOf(headers: IncomingHttpHeaders): string {
  const target = headers['x-amz-target'];
  const value = Array.isArray(target) ? target[0] : target;
  return value?.slice(value.indexOf('.') + 1) ?? 'unknown';
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

function relay(response: ServerResponse, answer: Answer): void {
  // The client may have hung up meanwhile (a timeout, or a dropped connection).
  if (response.destroyed || !response.socket || response.socket.destroyed) return;
  const headers = withoutHopByHop(answer.headers);
  headers['content-length'] = String(answer.body.length);
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

/** DynamoDB's error answer, which the SDK maps to its exception class by `__type`. */
function answerError(
  response: ServerResponse,
  status: number,
  body: Record<string, unknown>,
): void {
  relay(response, {
    status,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': randomUUID() },
    body: Buffer.from(JSON.stringify(body)),
  });
}

function transactionConflict(requestBody: Buffer): Record<string, unknown> {
  const reasons = Array.from({ length: transactItemCount(requestBody) }, () => ({
    Code: 'TransactionConflict',
    Message: 'Transaction is ongoing for the item',
  }));
  return {
    __type: `${ERROR_NAMESPACE}#TransactionCanceledException`,
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons ' +
      `[${reasons.map((reason) => reason.Code).join(', ')}]`,
    CancellationReasons: reasons,
  };
}

function tableNameOf(requestBody: Buffer): string {
  try {
    return (JSON.parse(requestBody.toString('utf8')) as { TableName?: string }).TableName ?? '*';
  } catch {
    return '*';
  }
}

function transactItemCount(requestBody: Buffer): number {
  try {
    const parsed = JSON.parse(requestBody.toString('utf8')) as { TransactItems?: unknown };
    return Array.isArray(parsed.TransactItems) ? parsed.TransactItems.length : 1;
  } catch {
    return 1;
  }
}
