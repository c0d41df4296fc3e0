import { spawn } from 'node:child_process';

/**
 * CloudFormation through Python: no CloudFormation client or YAML parser is installed for Node, while moto's
 * server comes with boto3, PyYAML and cfn-lint (which knows AWS's own resource schemas).
 */
const SCRIPT = String.raw`
import json
import sys
from pathlib import Path

request = json.loads(sys.argv[1])
command = request["command"]


def aws_client(service):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=request["endpoint"],
        region_name=request["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5),
    )


def stack_state(cloudformation, stack_name):
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {
        "stackStatus": stack["StackStatus"],
        "stackStatusReason": stack.get("StackStatusReason"),
        "outputs": {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])},
    }


def wait_quietly(cloudformation, waiter_name, stack_name):
    from botocore.exceptions import WaiterError

    try:
        cloudformation.get_waiter(waiter_name).wait(
            StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    except WaiterError:
        pass  # the caller reports the stack's status and reason


if command == "probe":
    aws_client("cloudformation").list_stacks()
    result = {}
elif command == "create-stack":
    cloudformation = aws_client("cloudformation")
    cloudformation.create_stack(
        StackName=request["stackName"],
        TemplateBody=Path(request["templatePath"]).read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in request["parameters"].items()],
    )
    wait_quietly(cloudformation, "stack_create_complete", request["stackName"])
    result = stack_state(cloudformation, request["stackName"])
elif command == "delete-stack":
    cloudformation = aws_client("cloudformation")
    cloudformation.delete_stack(StackName=request["stackName"])
    wait_quietly(cloudformation, "stack_delete_complete", request["stackName"])
    result = {}
elif command == "read-template":
    from cfnlint.decode import decode

    template, problems = decode(request["templatePath"])
    if problems:
        sys.exit("; ".join(str(problem) for problem in problems))
    result = template
elif command == "lint-template":
    from cfnlint.api import lint_file

    result = [
        {"rule": match.rule.id, "line": match.linenumber, "message": match.message}
        for match in lint_file(Path(request["templatePath"]))
    ]
else:
    sys.exit("unknown command " + command)

print(json.dumps(result, default=str))
`;

export interface StackState {
  readonly stackStatus: string;
  readonly stackStatusReason?: string | null;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface LintFinding {
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

/** A CloudFormation endpoint in one region, e.g. moto's server. */
export interface CloudFormationTarget {
  readonly endpoint: string;
  readonly region: string;
}

/** Whether the endpoint answers CloudFormation requests (moto's server does; DynamoDB Local does not). */
export function servesCloudFormation(target: CloudFormationTarget): Promise<boolean> {
  return runPython({ command: 'probe', ...target }).then(
    () => true,
    () => false,
  );
}

export function createStack(
  target: CloudFormationTarget,
  stack: {
    readonly stackName: string;
    readonly templatePath: string;
    readonly parameters: Record<string, string>;
  },
): Promise<StackState> {
  return runPython({ command: 'create-stack', ...target, ...stack });
}

export async function deleteStack(target: CloudFormationTarget, stackName: string): Promise<void> {
  await runPython({ command: 'delete-stack', ...target, stackName });
}

/** The template as CloudFormation reads it; short forms such as !Ref become {"Ref": …}. */
export function readTemplate(templatePath: string): Promise<Record<string, unknown>> {
  return runPython({ command: 'read-template', templatePath });
}

/** cfn-lint's findings: properties, types and values checked against AWS's resource schemas. */
export function lintTemplate(templatePath: string): Promise<LintFinding[]> {
  return runPython({ command: 'lint-template', templatePath });
}

function runPython<T>(request: Record<string, unknown>): Promise<T> {
  const python = process.env.PYTHON ?? 'python3';
  const child = spawn(python, ['-c', SCRIPT, JSON.stringify(request)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${python}: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as T);
      else
        reject(
          new Error(
            `${python} (${String(request.command)}) exited with code ${code}: ${stderr.trim()}`,
          ),
        );
    });
  });
}
