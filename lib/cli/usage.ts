export const CLI_NAME = 'nestjs-dynamo-es';

export const CLI_USAGE = `Usage: ${CLI_NAME} <command> [options]

Commands:
  create-tables   Create the event store's DynamoDB tables, or check the key schemas of existing ones.
  local           Run a local DynamoDB (moto) with the event store's tables, for development and tests.

Options:
  -h, --help      Show this help. A command's help: ${CLI_NAME} <command> --help
  -v, --version   Show the package's version.

Examples:
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events
  AWS_REGION=eu-west-1 ${CLI_NAME} create-tables --table events
  ${CLI_NAME} local
`;

export const CREATE_TABLES_USAGE = `Usage: ${CLI_NAME} create-tables --table <name> [--views-table <name>] [--lease-table <name>]
       [--endpoint <url>] [--region <region>]

Creates the tables and waits until they are active, all on-demand: the events table (partition key
streamId (S), sort key version (N), DynamoDB Streams with new images), and for projections, when
named, the views table (partition key __key (S)) and the stream runner's lease table (partition key
leaseKey (S)). A table that already exists with its key schema is left unchanged; one with another
key schema is an error. One line per table. Safe to run on every deployment.

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
