import {
  PutItemCommand,
  type PutItemCommandInput,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import { mayHaveBeenApplied } from '../sdk-errors.js';

/**
 * Whether any attempt the SDK made for the writes of one append, retries included, may have been applied: that
 * decides what a final failure means.
 */
export class WriteAttempts {
  private appliedMaybe = false;

  get mayHaveBeenApplied(): boolean {
    return this.appliedMaybe;
  }

  /** The command, sent for this append: every attempt the SDK makes of it is watched. */
  watch<C extends WatchedPutItemCommand | WatchedTransactWriteItemsCommand>(command: C): C {
    attemptsOfInput.set(command.input, this);
    return command;
  }

  record(error: unknown): void {
    if (mayHaveBeenApplied(error)) this.appliedMaybe = true;
  }
}

/** The write each command input belongs to, found by the watch from the input the SDK hands every attempt. */
const attemptsOfInput = new WeakMap<object, WriteAttempts>();

/**
 * Runs inside the SDK's retry loop, once per attempt. It holds no state of its own and finds the write it serves
 * from the attempt's input: a client with `cacheMiddleware` reuses the handler stack of the first command of a
 * class for every later one, so a watcher bound to one command would judge every later write by the first's. (Not
 * an AsyncLocalStorage: on Node 20 and 22 entering one turns on promise hooks, a cost on every promise of the
 * process from then on.)
 */
const watchAttempt: DeserializeMiddleware<object, object> = (next) => async (args) => {
  try {
    return await next(args);
  } catch (error) {
    attemptsOfInput.get((args as { input: object }).input)?.record(error);
    throw error;
  }
};

function watched(stack: unknown): void {
  (stack as MiddlewareStack<object, object>).addRelativeTo(watchAttempt, {
    relation: 'before',
    toMiddleware: 'deserializerMiddleware',
    name: 'nestjsDynamoEsWriteAttempts',
  });
}

/**
 * The store's own command classes. With `cacheMiddleware` the SDK caches a stack per command class; classes of the
 * store's own are resolved first by the store, so their cached stack always holds the watch, even on a client that
 * sent plain PutItemCommands before.
 */
export class WatchedPutItemCommand extends PutItemCommand {
  constructor(input: PutItemCommandInput) {
    super(input);
    watched(this.middlewareStack);
  }
}

export class WatchedTransactWriteItemsCommand extends TransactWriteItemsCommand {
  constructor(input: TransactWriteItemsCommandInput) {
    super(input);
    watched(this.middlewareStack);
  }
}
