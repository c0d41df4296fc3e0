export const CLI_NAME = 'nestjs-dynamo-es';

export const CLI_USAGE = `Usage: ${CLI_NAME} <command> [options]

Commands:
  create-tables   Create the event store's DynamoDB table, or check the key schema of an existing one.
  local           Run a local DynamoDB (moto) with the events table, for development and tests.

Options:
  -h, --help      Show this help. A command's help: ${CLI_NAME} <command> --help
  -v, --version   Show the package's version.

Examples:
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events
  AWS_REGION=eu-west-1 ${CLI_NAME} create-tables --table events
  ${CLI_NAME} local
`;

export const CREATE_TABLES_USAGE = `Usage: ${CLI_NAME} create-tables --table <name> [--endpoint <url>] [--region <region>]

Creates the events table (partition key streamId (S), sort key version (N), on-demand billing,
DynamoDB Streams with new images) and waits until it is active. A table that already exists with
this key schema is left unchanged; one with another key schema is an error. Safe to run on every
deployment.

Options:
  --table <name>      The table. Default: $EVENTS_TABLE.
  --endpoint <url>    A DynamoDB endpoint other than AWS's, such as DynamoDB Local.
                      Default: $DYNAMODB_ENDPOINT; with neither, AWS's endpoint for the region.
  --region <region>   The AWS region. Default: $AWS_REGION; else us-east-1 with an endpoint, or the
                      AWS SDK's configuration without one (e.g. the region of AWS_PROFILE).
  -h, --help          Show this help.

Credentials come from the AWS SDK's default chain: environment variables, AWS_PROFILE, SSO, or the
container's or instance's role. An endpoint on localhost or 127.0.0.1 gets dummy credentials unless
AWS_ACCESS_KEY_ID is set.

Examples:
  # DynamoDB Local (docker compose up -d)
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events

  # AWS: no endpoint; the SDK's default credentials and region
  AWS_PROFILE=prod AWS_REGION=eu-west-1 ${CLI_NAME} create-tables --table events

Exit codes: 0 the table was created or already right, 1 it could not be, 2 a wrong command line.
`;

export const LOCAL_USAGE = `Usage: ${CLI_NAME} local [--port <n>] [--table <name>]... [--host <address>]

Runs a local DynamoDB for development and tests: moto's server, serving one request at a time so
that concurrent conditional writes race as they do on DynamoDB. Creates the events table(s), prints
the environment to use it with, and runs until Ctrl-C (SIGINT) or SIGTERM. Its data is gone when it
stops. Needs Python 3 with moto: pip install "moto[server]".

Options:
  --port <n>          The port. Default 8000; 0 picks a free one.
  --table <name>      A table to create; repeat it, or separate names with commas, for more.
                      Default: $EVENTS_TABLE, else events.
  --host <address>    The address to listen on. Default 127.0.0.1; 0.0.0.0 for every interface.
  -h, --help          Show this help.

Environment: PYTHON, the Python with moto (default python3); AWS_REGION, the region the tables are
created in and that clients must use (default us-east-1).

Examples:
  ${CLI_NAME} local
  ${CLI_NAME} local --port 0 --table events --table projections

Exit codes: 0 stopped when asked, 1 it could not start (no moto, a port in use) or moto exited,
2 a wrong command line.
`;
