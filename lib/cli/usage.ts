export const CLI_NAME = 'nestjs-dynamo-es';

export const CLI_USAGE = `Usage: ${CLI_NAME} <command> [options]

Commands:
  create-tables   Create the event store's DynamoDB table, or check the key schema of an existing one.

Options:
  -h, --help      Show this help. A command's help: ${CLI_NAME} <command> --help

Examples:
  ${CLI_NAME} create-tables --endpoint http://localhost:8000 --table events
  AWS_REGION=eu-west-1 ${CLI_NAME} create-tables --table events
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
