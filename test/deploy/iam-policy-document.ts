import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** The placeholders of the policies in deploy/, which their users replace with their own values. */
export interface PolicyPlaceholders {
  readonly REGION: string;
  readonly ACCOUNT_ID: string;
  readonly TABLE_NAME: string;
  readonly VIEWS_TABLE_NAME?: string;
  readonly LEASE_TABLE_NAME?: string;
}

export async function readPolicy(name: string): Promise<PolicyDocument> {
  const path = fileURLToPath(new URL(`../../deploy/${name}`, import.meta.url));
  return JSON.parse(await readFile(path, 'utf8')) as PolicyDocument;
}

export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

export const allowedActions = (policy: PolicyDocument) =>
  new Set(policy.Statement.flatMap((statement) => asList(statement.Action) as string[]));

export const distinct = <T>(values: Iterable<T>) => [...new Set(values)].sort();

/**
 * A resource of a policy with its placeholders filled in. Whole words only: TABLE_NAME must not replace the end of
 * VIEWS_TABLE_NAME (with sed: `s/\bTABLE_NAME\b/events/g`).
 */
export function filledIn(resource: string, placeholders: PolicyPlaceholders): string {
  return Object.entries(placeholders).reduce(
    (text, [placeholder, value]) =>
      text.replace(new RegExp(`\\b${placeholder}\\b`, 'g'), value as string),
    resource,
  );
}

/** Whether an IAM resource pattern (`*` any characters, `?` one) matches an ARN. */
export function matchesArn(pattern: string, arn: string): boolean {
  const expression = pattern
    .split('')
    .map((character) =>
      character === '*'
        ? '.*'
        : character === '?'
          ? '.'
          : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${expression}$`).test(arn);
}

/** Every (resource pattern, actions) pair the policy grants, its placeholders filled in. */
export function grantsOf(
  policy: PolicyDocument,
  placeholders: PolicyPlaceholders,
): { readonly resource: string; readonly actions: readonly string[] }[] {
  return policy.Statement.flatMap((statement) =>
    (asList(statement.Resource) as string[]).map((resource) => ({
      resource: filledIn(resource, placeholders),
      actions: asList(statement.Action) as string[],
    })),
  );
}

/** The actions the policy allows on one ARN, from every statement whose resource matches it. */
export function actionsAllowedOn(
  policy: PolicyDocument,
  placeholders: PolicyPlaceholders,
  arn: string,
): string[] {
  return distinct(
    grantsOf(policy, placeholders)
      .filter(({ resource }) => matchesArn(resource, arn))
      .flatMap(({ actions }) => actions),
  );
}
