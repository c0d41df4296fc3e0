import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StubAnswer } from './stub-dynamodb.js';

/** An attribute value as DynamoDB's JSON protocol carries it: binaries as base64 text. */
export interface WireValue {
  readonly S?: string;
  readonly N?: string;
  readonly B?: string;
  readonly BOOL?: boolean;
  readonly NULL?: boolean;
  readonly SS?: readonly string[];
  readonly NS?: readonly string[];
  readonly BS?: readonly string[];
  readonly L?: readonly WireValue[];
  readonly M?: Readonly<Record<string, WireValue>>;
}

/** An item in DynamoDB's JSON protocol form, as a table holds it and a response body carries it. */
export type WireItem = Readonly<Record<string, WireValue>>;

export interface StubTableKeys {
  readonly tableName: string;
  /** The partition key's attribute (S, N or B). */
  readonly partitionKey: string;
  /** The sort key's attribute (S, N or B). */
  readonly sortKey: string;
}

/** DynamoDB ends a Query page once the items it has read reach 1 MB. */
export const QUERY_PAGE_LIMIT_BYTES = 1024 * 1024;

/**
 * A DynamoDB table in memory that answers Query by DynamoDB's rules, for a stubbed transport. It knows nothing of
 * any library's item layout, only of the table's keys, so that every row of a comparison, whichever code sent its
 * requests, is answered by the same rules:
 *
 * - KeyConditionExpression: `pk = :v`, optionally AND one sort-key condition (`=`, `<`, `<=`, `>`, `>=`,
 *   `BETWEEN :a AND :b`, `begins_with(sk, :v)`), keywords in any case, names as `#placeholders` or bare
 *   (DynamoDB's reserved words are not checked);
 * - ExpressionAttributeNames and ExpressionAttributeValues resolved, and refused when one is missing or unused, as
 *   DynamoDB refuses them;
 * - ProjectionExpression (top-level attributes): each item holds only the projected attributes it has;
 * - ScanIndexForward, ExclusiveStartKey, Limit, and the 1 MB page: a page ends after `Limit` items or once the
 *   items read reach 1 MB, with a LastEvaluatedKey (the key of the last item read). DynamoDB sizes the page by
 *   the items it reads, whole, before projection (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html),
 *   while the response body holds only the projected attributes: that body is what the SDK deserialises. AWS does
 *   not document on which page the item that crosses 1 MB falls; here it ends its page (the paged-memory stub of
 *   section 4 puts it on the next one). As DynamoDB does, a page stopped by a limit carries a LastEvaluatedKey even
 *   when no item follows;
 * - ReturnConsumedCapacity TOTAL or INDEXES: the read units of the items read (4 KB each, rounded up once per
 *   page; halved for an eventually consistent read).
 *
 * Anything else a Query may carry (FilterExpression, IndexName, Select COUNT, legacy parameters, nested projection
 * paths) throws: a request the stub cannot answer faithfully fails the bench instead of being answered wrongly.
 *
 * PutItem is acknowledged (`{}`, with ConsumedCapacity when asked) once its table and key are checked, and not
 * stored: every timed append meets a free version, as the first write of that version would.
 *
 * A Query's answer is computed once per distinct request body and then sent again as the same Buffer, off the JS
 * heap, as a body read from a socket would be: the stub's own work stays out of what is timed, which is the client.
 */
export class StubTable {
  private readonly partitions = new Map<string, WireItem[]>();
  private readonly answers = new Map<string, Buffer>();

  constructor(
    private readonly keys: StubTableKeys,
    /** In the SDK's form (binaries as Uint8Array), as the library and the SDK write them. */
    items: Iterable<Readonly<Record<string, AttributeValue>>>,
  ) {
    for (const sdkItem of items) {
      const item = wireItem(sdkItem);
      const partition = keyOf(item, keys.partitionKey);
      keyOf(item, keys.sortKey);
      const list = this.partitions.get(partition) ?? [];
      list.push(item);
      this.partitions.set(partition, list);
    }
    for (const list of this.partitions.values()) {
      list.sort((a, b) => compareKeys(a[keys.sortKey]!, b[keys.sortKey]!));
      for (let i = 1; i < list.length; i++) {
        if (compareKeys(list[i - 1]![keys.sortKey]!, list[i]![keys.sortKey]!) === 0) {
          throw new Error(`${keys.tableName}: two items with one primary key`);
        }
      }
    }
  }

  /** The stubbed transport's answer: Query and PutItem on this table. */
  readonly answer: StubAnswer = (operation, requestBody) => {
    switch (operation) {
      case 'Query': {
        let answer = this.answers.get(requestBody);
        if (!answer) {
          answer = Buffer.from(JSON.stringify(this.query(JSON.parse(requestBody) as QueryRequest)));
          this.answers.set(requestBody, answer);
        }
        return answer;
      }
      case 'PutItem':
        return this.put(JSON.parse(requestBody) as PutRequest);
      default:
        throw new Error(`The stub table answers Query and PutItem, not ${operation}`);
    }
  };

  /** The answer to one Query request, as DynamoDB would send it. */
  query(request: QueryRequest): QueryResponse {
    const { partitionKey, sortKey } = this.keys;
    this.checkTable(request.TableName);
    for (const unsupported of [
      'IndexName',
      'FilterExpression',
      'KeyConditions',
      'QueryFilter',
      'AttributesToGet',
      'ConditionalOperator',
    ] as const) {
      if (request[unsupported] !== undefined) {
        throw new Error(`The stub table does not answer a Query with ${unsupported}`);
      }
    }
    if (
      request.Select !== undefined &&
      request.Select !== 'ALL_ATTRIBUTES' &&
      !(request.Select === 'SPECIFIC_ATTRIBUTES' && request.ProjectionExpression)
    ) {
      throw new Error(`The stub table does not answer a Query with Select ${request.Select}`);
    }
    if (!request.KeyConditionExpression) throw new Error('A Query needs a KeyConditionExpression');
    const expressions = new ExpressionContext(request);
    const conditions = parseKeyCondition(request.KeyConditionExpression, expressions);
    const projection =
      request.ProjectionExpression === undefined
        ? undefined
        : parseProjection(request.ProjectionExpression, expressions);
    expressions.checkAllUsed();

    const onPartition = conditions.filter((c) => c.name === partitionKey);
    const onSort = conditions.filter((c) => c.name === sortKey);
    const other = conditions.find((c) => c.name !== partitionKey && c.name !== sortKey);
    if (other) throw new Error(`Query condition on ${other.name}, which is not a key attribute`);
    if (onPartition.length !== 1 || onPartition[0]!.operator !== '=') {
      throw new Error(`A Query needs exactly one condition ${partitionKey} = :value`);
    }
    if (onSort.length > 1) throw new Error(`At most one condition on ${sortKey}`);
    const partitionValue = onPartition[0]!.values[0]!;
    const sortCondition = onSort[0];

    let candidates = (this.partitions.get(keyString(partitionValue)) ?? []).filter(
      (item) => !sortCondition || matches(item[sortKey]!, sortCondition),
    );
    if (request.ScanIndexForward === false) candidates = candidates.reverse();
    let start = 0;
    if (request.ExclusiveStartKey) {
      const startKey = request.ExclusiveStartKey;
      if (
        Object.keys(startKey).length !== 2 ||
        !startKey[partitionKey] ||
        !startKey[sortKey] ||
        compareKeys(startKey[partitionKey], partitionValue) !== 0
      ) {
        throw new Error('The ExclusiveStartKey is not a key of the queried partition');
      }
      const after = startKey[sortKey];
      const direction = request.ScanIndexForward === false ? -1 : 1;
      while (
        start < candidates.length &&
        direction * compareKeys(candidates[start]![sortKey]!, after) <= 0
      ) {
        start++;
      }
    }
    if (request.Limit !== undefined && !(Number.isInteger(request.Limit) && request.Limit >= 1)) {
      throw new Error(`Limit ${String(request.Limit)}: it must be an integer ≥ 1`);
    }
    const limit = request.Limit ?? Infinity;

    const read: WireItem[] = [];
    let bytesRead = 0;
    let stopped = false;
    for (let index = start; index < candidates.length; index++) {
      const item = candidates[index]!;
      read.push(item);
      bytesRead += itemSize(item);
      if (read.length >= limit || bytesRead >= QUERY_PAGE_LIMIT_BYTES) {
        stopped = true;
        break;
      }
    }
    const items = projection
      ? read.map((item) => {
          const projected: Record<string, WireValue> = {};
          for (const name of projection) if (item[name] !== undefined) projected[name] = item[name];
          return projected;
        })
      : read;
    const last = read.at(-1);
    return {
      Items: items,
      Count: items.length,
      ScannedCount: read.length,
      ...(stopped && last
        ? { LastEvaluatedKey: { [partitionKey]: last[partitionKey]!, [sortKey]: last[sortKey]! } }
        : {}),
      ...this.consumedCapacity(
        request.ReturnConsumedCapacity,
        readUnits(bytesRead, request.ConsistentRead === true),
      ),
    };
  }

  private put(request: PutRequest): string {
    this.checkTable(request.TableName);
    if (!request.Item) throw new Error('A PutItem needs an Item');
    keyOf(request.Item, this.keys.partitionKey);
    keyOf(request.Item, this.keys.sortKey);
    return JSON.stringify(
      this.consumedCapacity(
        request.ReturnConsumedCapacity,
        Math.max(1, Math.ceil(itemSize(request.Item) / 1024)),
      ),
    );
  }

  private checkTable(tableName: string | undefined): void {
    if (tableName !== this.keys.tableName) {
      throw new Error(`The stub serves table ${this.keys.tableName}, not ${String(tableName)}`);
    }
  }

  private consumedCapacity(
    returnConsumedCapacity: string | undefined,
    units: number,
  ): { ConsumedCapacity?: object } {
    if (returnConsumedCapacity === undefined || returnConsumedCapacity === 'NONE') return {};
    const TableName = this.keys.tableName;
    return returnConsumedCapacity === 'INDEXES'
      ? { ConsumedCapacity: { TableName, CapacityUnits: units, Table: { CapacityUnits: units } } }
      : { ConsumedCapacity: { TableName, CapacityUnits: units } };
  }
}

export interface QueryRequest {
  readonly TableName?: string;
  readonly KeyConditionExpression?: string;
  readonly ProjectionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, WireValue>;
  readonly ExclusiveStartKey?: Record<string, WireValue>;
  readonly Limit?: number;
  readonly ScanIndexForward?: boolean;
  readonly ConsistentRead?: boolean;
  readonly ReturnConsumedCapacity?: string;
  readonly Select?: string;
  readonly IndexName?: string;
  readonly FilterExpression?: string;
  readonly KeyConditions?: unknown;
  readonly QueryFilter?: unknown;
  readonly AttributesToGet?: unknown;
  readonly ConditionalOperator?: unknown;
}

export interface QueryResponse {
  readonly Items: WireItem[];
  readonly Count: number;
  readonly ScannedCount: number;
  readonly LastEvaluatedKey?: Record<string, WireValue>;
  readonly ConsumedCapacity?: object;
}

interface PutRequest {
  readonly TableName?: string;
  readonly Item?: WireItem;
  readonly ReturnConsumedCapacity?: string;
}

/** The placeholders a request defines, and which of them its expressions use. */
class ExpressionContext {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(private readonly request: QueryRequest) {}

  name(token: string): string {
    if (!token.startsWith('#')) return token;
    const name = this.request.ExpressionAttributeNames?.[token];
    if (name === undefined) throw new Error(`${token} is not in ExpressionAttributeNames`);
    this.usedNames.add(token);
    return name;
  }

  value(token: string): WireValue {
    const value = this.request.ExpressionAttributeValues?.[token];
    if (value === undefined) throw new Error(`${token} is not in ExpressionAttributeValues`);
    this.usedValues.add(token);
    return value;
  }

  /** DynamoDB refuses a request that defines a placeholder its expressions do not use. */
  checkAllUsed(): void {
    const unused = [
      ...Object.keys(this.request.ExpressionAttributeNames ?? {}).filter(
        (token) => !this.usedNames.has(token),
      ),
      ...Object.keys(this.request.ExpressionAttributeValues ?? {}).filter(
        (token) => !this.usedValues.has(token),
      ),
    ];
    if (unused.length > 0) throw new Error(`Unused in expressions: ${unused.join(', ')}`);
  }
}

type Operator = '=' | '<' | '<=' | '>' | '>=' | 'BETWEEN' | 'BEGINS_WITH';

interface KeyCondition {
  readonly name: string;
  readonly operator: Operator;
  readonly values: readonly WireValue[];
}

const TOKEN = /\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|<=|>=|<>|=|<|>|\(|\)|,)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) throw new Error(`Cannot read the expression "${expression}" at ${at}`);
    tokens.push(match[1]!);
  }
  return tokens;
}

/** `condition (AND condition)*`, each condition possibly in parentheses. */
function parseKeyCondition(expression: string, context: ExpressionContext): KeyCondition[] {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected && token.toUpperCase() !== expected)) {
      throw new Error(`Cannot read the key condition "${expression}"`);
    }
    return token;
  };
  const operand = () => {
    const token = take();
    if (token.startsWith(':') || /^[(),<>=]/.test(token)) {
      throw new Error(`"${expression}": ${token} is not an attribute name`);
    }
    return context.name(token);
  };
  const value = () => {
    const token = take();
    if (!token.startsWith(':')) throw new Error(`"${expression}": ${token} is not a :value`);
    return context.value(token);
  };
  const conditions: KeyCondition[] = [];
  const condition = (): void => {
    if (peek() === '(') {
      take('(');
      condition();
      while (peek()?.toUpperCase() === 'AND') {
        take('AND');
        condition();
      }
      take(')');
      return;
    }
    if (peek()?.toLowerCase() === 'begins_with') {
      take();
      take('(');
      const name = operand();
      take(',');
      const prefix = value();
      take(')');
      conditions.push({ name, operator: 'BEGINS_WITH', values: [prefix] });
      return;
    }
    const name = operand();
    const operator = take().toUpperCase();
    if (operator === 'BETWEEN') {
      const low = value();
      take('AND');
      conditions.push({ name, operator, values: [low, value()] });
    } else if (['=', '<', '<=', '>', '>='].includes(operator)) {
      conditions.push({ name, operator: operator as Operator, values: [value()] });
    } else {
      throw new Error(`"${expression}": ${operator} is not allowed in a key condition`);
    }
  };
  condition();
  while (at < tokens.length) {
    take('AND');
    condition();
  }
  return conditions;
}

/** Top-level attribute names only; nested paths (`a.b`, `a[0]`) are not answered. */
function parseProjection(expression: string, context: ExpressionContext): string[] {
  const names = expression.split(',').map((part) => {
    const token = part.trim();
    if (!/^#?[A-Za-z0-9_]+$/.test(token)) {
      throw new Error(`The stub answers top-level projections only, not "${token}"`);
    }
    return context.name(token);
  });
  if (new Set(names).size !== names.length) {
    throw new Error(`"${expression}": two document paths overlap`);
  }
  return names;
}

function matches(key: WireValue, { operator, values }: KeyCondition): boolean {
  const [first, second] = values as [WireValue, WireValue | undefined];
  switch (operator) {
    case '=':
      return compareKeys(key, first) === 0;
    case '<':
      return compareKeys(key, first) < 0;
    case '<=':
      return compareKeys(key, first) <= 0;
    case '>':
      return compareKeys(key, first) > 0;
    case '>=':
      return compareKeys(key, first) >= 0;
    case 'BETWEEN':
      if (compareKeys(first, second!) > 0) {
        throw new Error('BETWEEN: the lower bound is above the upper bound');
      }
      return compareKeys(key, first) >= 0 && compareKeys(key, second!) <= 0;
    case 'BEGINS_WITH': {
      if (key.N !== undefined || first.N !== undefined) {
        throw new Error('begins_with applies to S and B keys only');
      }
      const [keyBytes, prefix] = [bytesOf(key), bytesOf(first)];
      return prefix.length <= keyBytes.length && keyBytes.subarray(0, prefix.length).equals(prefix);
    }
  }
}

/** Key values in DynamoDB's order: numbers by value, strings and binaries by their bytes. */
function compareKeys(a: WireValue, b: WireValue): number {
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if ((a.S !== undefined && b.S !== undefined) || (a.B !== undefined && b.B !== undefined)) {
    return Buffer.compare(bytesOf(a), bytesOf(b));
  }
  throw new Error(`Key values of different types: ${JSON.stringify([a, b])}`);
}

function compareNumbers(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) {
    // Not needed by the benches: every key number here is an integer within 2^53.
    throw new Error(`The stub compares integer keys within 2^53 only, not ${a} and ${b}`);
  }
  return x - y;
}

function bytesOf(value: WireValue): Buffer {
  if (value.S !== undefined) return Buffer.from(value.S, 'utf8');
  if (value.B !== undefined) return Buffer.from(value.B, 'base64');
  throw new Error(`Not a string or binary key: ${JSON.stringify(value)}`);
}

/** An item of the SDK's form in the JSON protocol's: binaries as base64, as the SDK would send them. */
export function wireItem(item: Readonly<Record<string, AttributeValue>>): WireItem {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, wireValue(value)]));
}

function wireValue(value: AttributeValue): WireValue {
  const base64 = (bytes: Uint8Array) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(wireValue) };
  if (value.M !== undefined) return { M: wireItem(value.M) };
  return value;
}

function keyOf(item: WireItem, attribute: string): string {
  const value = item[attribute];
  if (!value || (value.S === undefined && value.N === undefined && value.B === undefined)) {
    throw new Error(`The item has no key attribute ${attribute}: ${JSON.stringify(item)}`);
  }
  return keyString(value);
}

function keyString(value: WireValue): string {
  if (value.N !== undefined) return `N${Number(value.N)}`;
  if (value.S !== undefined) return `S${value.S}`;
  if (value.B !== undefined) return `B${value.B}`;
  throw new Error(`Not a key value: ${JSON.stringify(value)}`);
}

/** Read units: 4 KB each, for all the items read together rounded up once; halved when eventually consistent. */
function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/**
 * The size DynamoDB limits and charges an item by: attribute names and values, by the rules of
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html (written here
 * rather than taken from the library, so that the stub owes it nothing).
 */
export function itemSize(item: WireItem): number {
  let size = 0;
  for (const name in item) size += Buffer.byteLength(name) + valueSize(item[name]!);
  return size;
}

function valueSize(value: WireValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return Buffer.byteLength(value.B, 'base64');
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) {
    return value.BS.reduce((sum, b) => sum + Buffer.byteLength(b, 'base64'), 0);
  }
  // A list or map: 3 bytes, and 1 byte per element (plus the element's name in a map).
  if (value.L !== undefined) return value.L.reduce((sum, v) => sum + 1 + valueSize(v), 3);
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, v]) => sum + 1 + Buffer.byteLength(name) + valueSize(v),
      3,
    );
  }
  throw new Error(`Not an attribute value: ${JSON.stringify(value)}`);
}

/** About one byte per two significant digits, plus one. */
function numberSize(value: string): number {
  const digits = value
    .replace(/e.*$/i, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(digits.length / 2) + 1;
}
