import { spawn } from 'node:child_process';
import type { CloudFormationTarget } from '../../deploy/local-cloudformation.js';

/**
 * What a stack of deploy/projections-lambda.cfn.yaml made on moto, read back with boto3 (moto's server comes with
 * it; no Lambda, S3 or IAM client is installed for Node). moto stores functions and event source mappings but cannot
 * invoke them here (that needs Docker).
 */
const SCRIPT = String.raw`
import io
import json
import sys
import zipfile

request = json.loads(sys.argv[1])


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


def as_document(document):
    # AWS answers with the document URL-encoded (boto3 decodes it); moto 5.2.1 with the repr of a Python dict.
    if not isinstance(document, str):
        return document
    import ast
    from urllib.parse import unquote

    try:
        return json.loads(unquote(document))
    except ValueError:
        return ast.literal_eval(document)


if request["command"] == "put-code":
    # A package that only has to exist: moto stores the function without running it.
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("index.mjs", "export const handler = async () => ({ batchItemFailures: [] });\n")
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=request["bucket"])
    s3.put_object(Bucket=request["bucket"], Key=request["key"], Body=package.getvalue())
    result = {}
elif request["command"] == "describe-function":
    lambda_client = aws_client("lambda")
    function = lambda_client.get_function_configuration(FunctionName=request["functionName"])
    mapping = lambda_client.get_event_source_mapping(UUID=request["mappingId"])
    iam = aws_client("iam")
    role_name = function["Role"].split("/")[-1]
    role = iam.get_role(RoleName=role_name)["Role"]
    policies = {
        name: as_document(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
        for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    }
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    for key in ("ResponseMetadata",):
        function.pop(key, None)
        mapping.pop(key, None)
    result = {
        "function": function,
        "mapping": mapping,
        "trust": role["AssumeRolePolicyDocument"],
        "policies": policies,
        "attachedPolicies": attached,
    }
else:
    sys.exit("unknown command " + request["command"])

print(json.dumps(result, default=str))
`;

export interface DeployedFunction {
  readonly function: {
    readonly Runtime: string;
    readonly Handler: string;
    readonly Role: string;
    readonly MemorySize: number;
    readonly Timeout: number;
    readonly Environment?: { readonly Variables?: Record<string, string> };
  };
  readonly mapping: Record<string, unknown>;
  readonly trust: { readonly Statement: readonly Record<string, unknown>[] };
  /** The role's inline policies, by name, with CloudFormation's functions resolved. */
  readonly policies: Record<string, { Version: string; Statement: Record<string, unknown>[] }>;
  readonly attachedPolicies: readonly unknown[];
}

/** Uploads a placeholder deployment package to moto's S3 (creating the bucket). */
export function putFunctionCode(
  target: CloudFormationTarget,
  location: { readonly bucket: string; readonly key: string },
): Promise<void> {
  return runPython({ command: 'put-code', ...target, ...location });
}

/** The function, its event source mapping and its role's policies, as moto stored them. */
export function describeFunction(
  target: CloudFormationTarget,
  { functionName, mappingId }: { readonly functionName: string; readonly mappingId: string },
): Promise<DeployedFunction> {
  return runPython({ command: 'describe-function', ...target, functionName, mappingId });
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
          new Error(`${python} (${String(request.command)}) exited with ${code}: ${stderr.trim()}`),
        );
    });
  });
}
