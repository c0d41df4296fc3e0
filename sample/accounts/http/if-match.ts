import { BadRequestException } from '@nestjs/common';

/** The version in an If-Match header (`"3"` or `3`), as the API sends it in its ETag; undefined when absent. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*"?(\d+)"?\s*$/.exec(header);
  if (!match)
    throw new BadRequestException(
      `If-Match must be an account version such as "3"; got ${header}.`,
    );
  return Number(match[1]);
}

export function etagOf(version: number): string {
  return `"${version}"`;
}
