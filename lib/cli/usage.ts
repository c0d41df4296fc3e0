export const CLI_NAME = 'nestjs-dynamo-es';

export const CLI_USAGE = `Usage: ${CLI_NAME} <command> [options]

Commands:
  create-tables   Create the event store's DynamoDB tables, or check the key schemas of existing ones.
  local           Run a local DynamoDB (moto) with the event store's tables, for development and tests.
  rebuild         Rebuild a projection's view from the events table, with progress; resumable.

Options:
  -h, --help      Show this help. A command's help: ${CLI_NAME} <command> --help
  -v, --version   Show the package's version.

Examples:
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events
  AWS_REGION=eu-west-1 ${CLI_NAME} create-tables --table events
  ${CLI_NAME} local
  ${CLI_NAME} rebuild account-directory --module dist/app.module.js
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
