import { isMissingPackage } from '../core/missing-package.js';

/**
 * Imports what needs an optional peer of the package (`@aws-sdk/lib-dynamodb`, `@aws-sdk/client-dynamodb-streams`)
 * only when a command needs it, so that the others run without it; where it is not installed, the error says which
 * to install and why.
 */
export async function importWithOptionalPeer<T>(
  load: () => Promise<T>,
  peer: string,
  /** "tail reads the table's stream with it". */
  why: string,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissingPackage(error, peer))
      throw new Error(
        `${peer} is not installed: ${why}. Install it beside this package: npm install ${peer}`,
        {
          cause: error,
        },
      );
    throw error;
  }
}
