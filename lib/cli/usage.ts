export const CLI_NAME = 'nestjs-dynamo-es';

export const CLI_USAGE = `Usage: ${CLI_NAME} <command> [options]

Commands:
  create-tables   Create the event store's DynamoDB tables, or check the key schemas of existing ones.
  local           Run a local DynamoDB (moto) with the event store's tables, for development and tests.
  rebuild         Rebuild a projection's view from the events table, with progress; resumable.
  inspect         Show one aggregate's stream: its events and its snapshot.
  tail            Print events as they are appended, from the table's DynamoDB stream, until Ctrl-C.
  parked          List the streams that projections parked; replay one once its handler is fixed.

Options:
  -h, --help      Show this help. A command's help: ${CLI_NAME} <command> --help
  -v, --version   Show the package's version.

Examples:
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events
  AWS_REGION=eu-west-1 ${CLI_NAME} create-tables --table events
  ${CLI_NAME} local
  ${CLI_NAME} rebuild account-directory --module dist/app.module.js
  ${CLI_NAME} inspect BankAccount 4f1c2d --table events
  ${CLI_NAME} tail --table events --json
  ${CLI_NAME} parked --views-table views
`;

export const CREATE_TABLES_USAGE = `Usage: ${CLI_NAME} create-tables --table <name> [--views-table <name>] [--lease-table <name>]
       [--endpoint <url>] [--region <region>]

Creates the tables and waits until they are active, all on-demand: the events table (partition key
streamId (S), sort key version (N), DynamoDB Streams with new images, Time to Live on expiresAt for
commands' idempotency keys), and for projections, when named, the views table (partition key
__key (S)) and the stream runner's lease table (partition key leaseKey (S)). A table that already
exists with its key schema is kept (the events table gets Time to Live if it is off); one with
another key schema is an error. One line per table. Safe to run on every deployment.

Options:
  --table <name>          The events table. Default: $EVENTS_TABLE.
  --views-table <name>    The views table. Default: $VIEWS_TABLE; with neither, none is created.
  --lease-table <name>    The lease table. Default: $LEASE_TABLE; with neither, none is created.
  --endpoint <url>        A DynamoDB endpoint other than AWS's, such as DynamoDB Local.
                          Default: $DYNAMODB_ENDPOINT; with neither, AWS's endpoint for the region.
  --region <region>       The AWS region. Default: $AWS_REGION; else us-east-1 with an endpoint, or
                          the AWS SDK's configuration without one (e.g. the region of AWS_PROFILE).
  -h, --help              Show this help.

Credentials come from the AWS SDK's default chain: environment variables, AWS_PROFILE, SSO, or the
container's or instance's role. An endpoint on localhost or 127.0.0.1 gets dummy credentials unless
AWS_ACCESS_KEY_ID is set.

Examples:
  # DynamoDB Local (docker compose up -d)
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events

  # With projections: the views and lease tables too
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events \\
    --views-table views --lease-table leases

  # AWS: no endpoint; the SDK's default credentials and region
  AWS_PROFILE=prod AWS_REGION=eu-west-1 ${CLI_NAME} create-tables --table events

Exit codes: 0 every table was created or already right, 1 a table could not be (it stops there;
the tables before it are done), 2 a wrong command line.
`;

export const LOCAL_USAGE = `Usage: ${CLI_NAME} local [--port <n>] [--table <name>]... [--views-table <name>]
       [--lease-table <name>] [--host <address>]

Runs a local DynamoDB for development and tests: moto's server, serving one request at a time so
that concurrent conditional writes race as they do on DynamoDB. Creates the events table(s), and the
views and lease tables of projections when named, prints the environment to use it with, and runs
until Ctrl-C (SIGINT) or SIGTERM. Its data is gone when it stops. Needs Python 3 with moto:
pip install "moto[server]".

Options:
  --port <n>              The port. Default 8000; 0 picks a free one.
  --table <name>          An events table to create; repeat it, or separate names with commas, for
                          more. Default: $EVENTS_TABLE, else events.
  --views-table <name>    A views table to create (then printed as VIEWS_TABLE). Default: none.
  --lease-table <name>    A lease table to create (then printed as LEASE_TABLE). Default: none.
  --host <address>        The address to listen on. Default 127.0.0.1; 0.0.0.0 for every interface.
  -h, --help              Show this help.

Environment: PYTHON, the Python with moto (default python3); AWS_REGION, the region the tables are
created in and that clients must use (default us-east-1).

Examples:
  ${CLI_NAME} local
  ${CLI_NAME} local --port 0 --table events --table audit-events
  ${CLI_NAME} local --table events --views-table views --lease-table leases

Exit codes: 0 stopped when asked, 1 it could not start (no moto, a port in use) or moto exited,
2 a wrong command line.
`;

export const REBUILD_USAGE = `Usage: ${CLI_NAME} rebuild <projection> --module <file>[#<export>] [--segments <n>]
       [--catch-up] [--json]

Rebuilds a projection from the whole events table while the application keeps running: a new
generation of its view is built beside the one served, then served in its place. With --catch-up,
brings the served generation up to date from its positions instead. The projection, its tables and
its settings are your application's: the command starts the application's root module as a Nest
application context, without its stream runner (NESTJS_DYNAMO_ES_RUNNER=false), and closes it at
the end. Each segment's progress is saved as it goes: after Ctrl-C, a failure or a crash, the same
command resumes from there.

Options:
  --module <file>[#<export>]  The application's compiled root module, resolved from the working
                              directory, ESM or CommonJS; #<export> names the class exported, by
                              default AppModule. E.g. dist/app.module.js#AppModule.
  --segments <n>              Parallel Scan segments of the events table, read at once. Default 4.
                              A rebuild that is resumed keeps the number it started with.
  --catch-up                  Bring the served generation up to date instead of building a new one.
  --json                      One JSON object per line for each progress report, the final one
                              last (its status "done" or "stopped"); the other lines go to stderr.
  -h, --help                  Show this help.

Progress: on a terminal, one line redrawn in place, otherwise a line every 2 seconds: streams done,
events applied, events per second, and for a rebuild the share of the table's events read (from
DynamoDB's item count, which lags by hours) and the time left. Ctrl-C (or SIGTERM) stops it once
the streams in flight are done; a second Ctrl-C ends it at once, which is safe too: either way it
resumes from its last checkpoints.

Run it from the application's directory (npx ${CLI_NAME} ...), so that the module and the
command load one copy of this package, with the environment the application reads its
configuration from (tables, endpoint, region, credentials).

Examples:
  ${CLI_NAME} rebuild account-directory --module dist/app.module.js
  ${CLI_NAME} rebuild account-directory --module dist/app.module.js#AppModule --segments 16
  ${CLI_NAME} rebuild account-directory --module dist/app.module.js --catch-up --json

Exit codes: 0 done (a rebuild's generation is served), 1 it failed (run it again to resume), 2 a
wrong command line (an option, a module file or export not found, a projection the application does
not have), 130 stopped by Ctrl-C or SIGTERM (run it again to resume).
`;

const TARGET_OPTIONS_USAGE = `  --endpoint <url>        A DynamoDB endpoint other than AWS's, such as DynamoDB Local.
                          Default: $DYNAMODB_ENDPOINT; with neither, AWS's endpoint for the region.
  --region <region>       The AWS region. Default: $AWS_REGION; else us-east-1 with an endpoint, or
                          the AWS SDK's configuration without one (e.g. the region of AWS_PROFILE).`;

export const INSPECT_USAGE = `Usage: ${CLI_NAME} inspect <aggregate type> <id> [--table <name>] [--endpoint <url>]
       [--region <region>] [--json]

Shows one aggregate's stream (<aggregate type>#<id>), read from the events table with strongly
consistent reads: a line per event, oldest first (version, type, schema version, recorded at,
event id, payload and metadata as JSON), then the latest snapshot (its version, schema version and
state) or "No snapshot.". It needs no application: payloads are shown as stored, not upcast.

Options:
  --table <name>          The events table. Default: $EVENTS_TABLE.
${TARGET_OPTIONS_USAGE}
  --json                  One JSON object: {"streamId", "version", "events": [{"streamId", "version",
                          "type", "schemaVersion", "recordedAt", "eventId", "payload", "metadata"}],
                          "snapshot": {"version", "schemaVersion", "state"} or null}.
  -h, --help              Show this help.

Examples:
  ${CLI_NAME} inspect BankAccount 4f1c2d --table events
  ${CLI_NAME} inspect Cart 42 --endpoint http://localhost:8000 --table events --json | jq .snapshot

Exit codes: 0 shown, 1 the stream has no events (said on stderr; with --json the object is still
printed, its events empty) or it could not be read, 2 a wrong command line.
`;

export const TAIL_USAGE = `Usage: ${CLI_NAME} tail [--table <name>] [--endpoint <url>] [--region <region>]
       [--from latest|trim-horizon] [--json]

Prints the events appended to the events table as its DynamoDB stream delivers them, one line each
(stream id, version, type, schema version, recorded at, event id, payload, metadata), until Ctrl-C.
Snapshots and commands' idempotency keys are left out. It reads every open shard, and a shard's
children when it ends; it keeps no position: run again, it starts again. Needs the optional peer
@aws-sdk/client-dynamodb-streams.

The stream orders records per item only: events of different streams, and on AWS even of one
stream, may be printed out of order. A shard has at most two concurrent readers on AWS: beside a
Lambda and a stream runner, tail gets throttled (or throttles them).

Options:
  --table <name>          The events table. Default: $EVENTS_TABLE.
${TARGET_OPTIONS_USAGE}
  --from <position>       latest (default): the events appended from now on; trim-horizon: every
                          record the stream still keeps (24 hours on AWS), then the new ones.
  --json                  One JSON object per event and line, as inspect --json prints events.
                          Status lines go to stderr either way.
  -h, --help              Show this help.

Examples:
  ${CLI_NAME} tail --table events
  ${CLI_NAME} tail --table events --from trim-horizon --json | jq 'select(.type == "ItemAdded")'

Exit codes: 0 stopped by Ctrl-C (or SIGTERM), 1 the table or its stream could not be read, 2 a
wrong command line.
`;

export const PARKED_USAGE = `Usage: ${CLI_NAME} parked [--views-table <name>] [--projection <name>] [--endpoint <url>]
       [--region <region>] [--json]
       ${CLI_NAME} parked replay <projection> <stream id> --module <file>[#<export>] [--json]

A projection whose handler keeps failing on an event parks that event's stream: its later events
wait behind it, and the other streams go on. The first form lists the parked streams from the views
table, oldest first (projection, stream id, version and type of the event, its id, view, document,
when, attempts, the last error); it needs no application and the optional peer @aws-sdk/lib-dynamodb.

The second applies a parked stream again, from where it stopped to its last event, in each view it
is parked in, once the handler is fixed: it starts the application's root module as a Nest
application context without its stream runner, as rebuild does, replays through the application's
own projection, and closes it. If the handler still fails, the stream is parked again.

Options:
  --views-table <name>    The views table (listing). Default: $VIEWS_TABLE.
  --projection <name>     List only this projection's parked streams.
${TARGET_OPTIONS_USAGE}
  --module <file>[#<export>]  (replay) The application's compiled root module, as for rebuild.
  --json                  Listing: one JSON object {"viewsTable", "parked": [...]}; replay: one JSON
                          object {"projection", "streamId", "views", "applied", "parked", "status"},
                          its status "replayed" or "parked".
  -h, --help              Show this help.

Examples:
  ${CLI_NAME} parked --views-table views --projection account-directory
  ${CLI_NAME} parked replay account-directory 'BankAccount#4f1c2d' --module dist/app.module.js

Exit codes: 0 listed (even none), or replayed; 1 it failed, the stream is not parked, or it was
parked again; 2 a wrong command line (an option, a module, a projection the application does not
have).
`;
