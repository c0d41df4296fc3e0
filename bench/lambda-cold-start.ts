// This file is also the child process it measures (run with CHILD_FLAG): at load it may import nothing but Node's own
// modules, types and support/fresh-processes.js (Node's own only), or the child would find them loaded before it
// times its imports. Everything else is imported where it is used.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  childEnvironment,
  type FreshProcessRow,
  freshProcessRow as row,
  run,
} from './support/fresh-processes.js';
import type { BenchEndpoint } from './support/local-endpoint.js';

const CHILD_FLAG = '--lambda-cold-start-child';
const FULL = { processes: 7, accounts: 5 };
const QUICK = { processes: 1, accounts: 1 };

interface FunctionTimes {
  /** Importing what a user's function file imports: the entries, the sample's events, aggregate and projection. */
  readonly importMs: number;
  /** Node's start to the end of those imports: what Lambda's init phase adds before the first invocation. */
  readonly sinceProcessStartMs: number;
  /** The first invocation, of an empty batch: creating the application context. */
  readonly contextMs: number;
  /** The batch, applied by the next invocation (to an empty views table). */
  readonly applyMs: number;
  /** The same batch again on the warm container: every record a redelivery (one read of each document). */
  readonly secondInvocationMs: number;
  /** The batch applied with `ordering: 'stream'` by a warm handler of its own, to another empty views table. */
  readonly byStreamMs: number;
  readonly batchItemFailures: number;
}

/**
 * Lambda cold start, in fresh node processes, one at a time: a function file like a user's (the Lambda entry, with
 * the sample's Account events and AccountDirectoryProjection) imported, then its first invocation (the application
 * context created, a small batch of the sample's events applied on the local endpoint, each process with a views
 * table of its own). Medians of the processes; the run's own machine, Lambda's CPU share differs. The imports of
 * its parts and of each entry alone are the import-times section's (import-times.ts).
 */
export async function measureLambdaColdStart(
  endpoint: BenchEndpoint,
  { quick }: { quick: boolean },
): Promise<FreshProcessRow[]> {
  const sizes = quick ? QUICK : FULL;
  const directory = await mkdtemp(join(tmpdir(), 'lambda-cold-start-'));
  try {
    const batch = await sampleBatch(endpoint, sizes.accounts, directory);
    const functions: FunctionTimes[] = [];
    for (let round = 0; round < sizes.processes; round++) {
      const [viewsTable, byStreamViewsTable] = [
        await newViewsTable(endpoint),
        await newViewsTable(endpoint),
      ];
      functions.push(
        JSON.parse(
          await runChild(batch.eventFile, {
            DYNAMODB_ENDPOINT: endpoint.endpoint,
            EVENTS_TABLE: batch.eventsTable,
            VIEWS_TABLE: viewsTable,
            BY_STREAM_VIEWS_TABLE: byStreamViewsTable,
          }),
        ) as FunctionTimes,
      );
    }
    if (functions.some(({ batchItemFailures }) => batchItemFailures > 0))
      throw new Error('The Lambda handler reported a failure on a clean batch.');
    return [
      row(
        'Lambda function file: import the entries + the sample’s Account events and AccountDirectoryProjection',
        functions.map(({ importMs }) => importMs),
      ),
      row(
        'Lambda function file: node start to the end of its imports',
        functions.map(({ sinceProcessStartMs }) => sinceProcessStartMs),
      ),
      row(
        'first invocation, part 1: create the application context',
        functions.map(({ contextMs }) => contextMs),
      ),
      row(
        `first invocation, part 2: apply ${batch.events} events, ${batch.accounts} streams interleaved (local endpoint)`,
        functions.map(({ applyMs }) => applyMs),
      ),
      row(
        'first invocation: context + batch',
        functions.map(({ contextMs, applyMs }) => contextMs + applyMs),
      ),
      row(
        'warm invocation: the same batch again, every record a redelivery',
        functions.map(({ secondInvocationMs }) => secondInvocationMs),
      ),
      row(
        "for comparison, warm: the batch applied with ordering 'stream' (streams side by side)",
        functions.map(({ byStreamMs }) => byStreamMs),
      ),
      row(
        'cold start: node start + imports + first invocation',
        functions.map((times) => times.sinceProcessStartMs + times.contextMs + times.applyMs),
      ),
    ];
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * The sample's events as a Lambda event: `accounts` accounts opened and each given two deposits, every save on its
 * own, read back with the real GetRecords of the local endpoint's stream and put in Lambda's shape.
 */
async function sampleBatch(
  endpoint: BenchEndpoint,
  accounts: number,
  directory: string,
): Promise<{ eventsTable: string; eventFile: string; events: number; accounts: number }> {
  const [{ randomUUID }, { DynamoEventStore, streamIdOf }, streamsSdk, { DescribeTableCommand }] =
    await Promise.all([
      import('node:crypto'),
      import('nestjs-dynamo-es'),
      import('@aws-sdk/client-dynamodb-streams'),
      import('@aws-sdk/client-dynamodb'),
    ]);
  const eventsTable = await endpoint.newTable();
  const client = endpoint.newClient();
  const streams = new streamsSdk.DynamoDBStreamsClient(endpoint.clientConfig);
  try {
    const store = new DynamoEventStore({ client, tableName: eventsTable });
    // Round after round over the accounts, one save each: the streams interleave in the batch, as on a busy table.
    const ids = Array.from({ length: accounts }, () => randomUUID());
    let events = 0;
    for (const [round, amount] of [undefined, 10, 5].entries()) {
      for (const [i, id] of ids.entries()) {
        await store.appendToStream(streamIdOf('Account', id), round, [
          amount === undefined
            ? { type: 'AccountOpened', payload: { accountId: id, owner: `owner ${i}` } }
            : {
                type: 'MoneyDeposited',
                schemaVersion: 2,
                payload: { accountId: id, amountCents: amount },
              },
        ]);
        events++;
      }
    }
    const { Table } = await client.send(new DescribeTableCommand({ TableName: eventsTable }));
    const streamArn = Table!.LatestStreamArn!;
    const { StreamDescription } = await streams.send(
      new streamsSdk.DescribeStreamCommand({ StreamArn: streamArn }),
    );
    const { ShardIterator } = await streams.send(
      new streamsSdk.GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: StreamDescription!.Shards![0]!.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await streams.send(
      new streamsSdk.GetRecordsCommand({ ShardIterator }),
    );
    const region = streamArn.split(':')[3]!;
    const event: DynamoDBStreamEvent = {
      Records: Records.map((record) => lambdaRecordOf(record, streamArn, region)),
    };
    const eventFile = join(directory, 'event.json');
    await writeFile(eventFile, JSON.stringify(event));
    if (Records.length !== events)
      throw new Error(`Read ${Records.length} records of ${events} events.`);
    return { eventsTable, eventFile, events, accounts };
  } finally {
    streams.destroy();
    client.destroy();
  }
}

/**
 * A GetRecords record as Lambda delivers it: binary values in base64 (the events' ids are 16 bytes), the time in
 * epoch seconds. The sample's items are flat: no list, map or set to convert.
 */
function lambdaRecordOf(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, NewImage, ...rest } = record.dynamodb!;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(rest as NonNullable<DynamoDBRecord['dynamodb']>),
      NewImage:
        NewImage &&
        (Object.fromEntries(
          Object.entries(NewImage).map(([name, value]) => [
            name,
            value.B ? { B: Buffer.from(value.B).toString('base64') } : value,
          ]),
        ) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage']),
      ApproximateCreationDateTime:
        ApproximateCreationDateTime && ApproximateCreationDateTime.getTime() / 1000,
    },
  };
}

async function newViewsTable(endpoint: BenchEndpoint): Promise<string> {
  const { viewsTable } = await endpoint.newProjectionTables();
  return viewsTable;
}

/** This file again, as the child: the function case with the batch in `eventFile`; resolves to what it printed. */
async function runChild(eventFile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [fileURLToPath(import.meta.url), CHILD_FLAG, eventFile],
    { env: childEnvironment(env) },
  );
  return stdout.trim();
}

/**
 * In the child: a Lambda function as a user writes one, its imports timed, then two invocations with the batch in
 * `eventFile`; prints FunctionTimes as JSON.
 */
async function functionCase(eventFile: string): Promise<void> {
  const started = performance.now();
  const [
    { Module },
    { CqrsModule },
    { dynamoDBClientConfig, DynamoEventStoreModule },
    { DynamoProjectionsModule },
    { createProjectionsHandler },
    { Account },
    { ACCOUNT_EVENTS },
    { AccountDirectoryProjection },
  ] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/cqrs'),
    import('nestjs-dynamo-es'),
    import('nestjs-dynamo-es/projections'),
    import('nestjs-dynamo-es/lambda'),
    import('../sample/accounts/account.aggregate.js'),
    import('../sample/accounts/account.events.js'),
    import('../sample/accounts/read-model/account-directory.projection.js'),
  ]);
  const importMs = performance.now() - started;
  const sinceProcessStartMs = performance.now();

  @Module({
    imports: [
      DynamoEventStoreModule.forFeature([{ aggregate: Account, events: ACCOUNT_EVENTS }]),
      DynamoProjectionsModule.forFeature([AccountDirectoryProjection]),
    ],
  })
  class AccountsReadModule {}

  const lambdaModule = (viewsTable: string) => {
    @Module({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventStoreModule.forRoot({
          tableName: process.env.EVENTS_TABLE!,
          clientConfig: dynamoDBClientConfig({ endpoint: process.env.DYNAMODB_ENDPOINT }),
        }),
        DynamoProjectionsModule.forRoot({ viewsTable, runner: false, handlerFailures: 'throw' }),
        AccountsReadModule,
      ],
    })
    class ProjectionsLambdaModule {}
    return ProjectionsLambdaModule;
  };

  const handler = createProjectionsHandler(lambdaModule(process.env.VIEWS_TABLE!));
  const event = JSON.parse(await readFile(eventFile, 'utf8')) as DynamoDBStreamEvent;
  const timed = async (invocation: DynamoDBStreamEvent, by = handler) => {
    const started = performance.now();
    const response = await by(invocation);
    return { ms: performance.now() - started, response };
  };
  const context = await timed({ Records: [] });
  const applied = await timed(event);
  const again = await timed(event);
  const byStream = createProjectionsHandler(lambdaModule(process.env.BY_STREAM_VIEWS_TABLE!), {
    ordering: 'stream',
  });
  await byStream({ Records: [] });
  const appliedByStream = await timed(event, byStream);
  const batchItemFailures = [context, applied, again, appliedByStream].flatMap(
    ({ response }) => response.batchItemFailures,
  );
  const times: FunctionTimes = {
    importMs,
    sinceProcessStartMs,
    contextMs: context.ms,
    applyMs: applied.ms,
    secondInvocationMs: again.ms,
    byStreamMs: appliedByStream.ms,
    batchItemFailures: batchItemFailures.length,
  };
  console.log(JSON.stringify(times));
}

if (process.argv[2] === CHILD_FLAG) {
  await functionCase(process.argv[3]!);
  // The handler's application context stays open, as in a Lambda container: end here.
  process.exit(0);
}
