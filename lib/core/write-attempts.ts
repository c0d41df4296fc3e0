import type { PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import { mayHaveBeenApplied } from './failure-kinds.js';

/**
 * Watches every attempt the SDK makes for the write commands of one save, retries included: whether any of them
 * may have been applied decides what a final failure means. The watch goes on each command, not on the client, so
 * that a client the user passed in is left as it was.
 */
export class WriteAttempts {
  private appliedMaybe = false;

  get mayHaveBeenApplied(): boolean {
    return this.appliedMaybe;
  }

  watch<C extends PutItemCommand | TransactWriteItemsCommand>(command: C): C {
    const watchAttempt: DeserializeMiddleware<object, object> = (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (mayHaveBeenApplied(error)) this.appliedMaybe = true;
        throw error;
      }
    };
    (command.middlewareStack as MiddlewareStack<object, object>).addRelativeTo(watchAttempt, {
      relation: 'before',
      toMiddleware: 'deserializerMiddleware',
      name: 'nestjsDynamoEsWriteAttempts',
    });
    return command;
  }
}
