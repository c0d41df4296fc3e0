import type { UnitOfWork, UnitOfWorkSaves } from 'nestjs-dynamo-es';
import { AccountRuleViolation } from '../account.errors.js';

/** A command that may carry the Idempotency-Key of the request that sent it. */
export interface IdempotentCommand {
  /** Undefined when the request sent none. */
  readonly idempotencyKey?: string;
}

/** A decision's answer as stored with its key: the result, or the message of the rule the command broke. */
type Answer<T> = { readonly accepted: T } | { readonly refused: string };

/** The refusal of an earlier request with the same Idempotency-Key, given again to its repeat. */
export class RepeatedRefusal extends AccountRuleViolation {}

/**
 * Runs a command's decision in a UnitOfWork: what it saves through `saves` is written in one atomic write, with the
 * command's idempotency key if it has one, and a repeat with the key gets the first answer without deciding again.
 * The command itself is the request whose fingerprint tells a repeat from another use of the key, so it holds only
 * what the client sent (no generated id, no clock): what the decision makes up, such as a new account's id, is part
 * of the stored answer instead.
 *
 * A refusal by the account's rules is an answer too: with a key it is stored (the key alone, nothing else), and a
 * repeat gets the same 422, as the IETF draft "The Idempotency-Key HTTP Header Field" asks of a retried request ("the
 * result of the previously completed operation, success or an error"); trying again takes a new key. Nothing is
 * stored for a 404, a 409 or a failure: no decision was made. Nor for a refusal after the decision saved something,
 * which would store that save with it: the error is then thrown as it is, and nothing is written.
 */
export async function decideOnce<T>(
  unitOfWork: UnitOfWork,
  command: IdempotentCommand,
  decide: (saves: UnitOfWorkSaves) => Promise<T> | T,
): Promise<T> {
  const { idempotencyKey } = command;
  let own: { answer: Answer<T>; refusal: AccountRuleViolation } | undefined;
  const answer = await unitOfWork.run<Answer<T>>(
    { idempotencyKey, request: command },
    async (saves) => {
      let saved = 0;
      const counted: UnitOfWorkSaves = {
        save: (aggregate, options) => {
          saved++;
          return saves.save(aggregate, options);
        },
      };
      try {
        return { accepted: await decide(counted) };
      } catch (error) {
        const storable =
          idempotencyKey !== undefined && saved === 0 && error instanceof AccountRuleViolation;
        if (!storable) throw error;
        own = { answer: { refused: error.message }, refusal: error };
        return own.answer;
      }
    },
  );
  if ('accepted' in answer) return answer.accepted;
  // This decision's own refusal keeps its class; a repeat's (or a copy's that ran at the same time) is rebuilt from
  // the stored message, so that both answer the same body.
  throw own?.answer === answer ? own.refusal : new RepeatedRefusal(answer.refused);
}
