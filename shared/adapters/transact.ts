/**
 * TransactWriteItems with the two outcomes callers care about: committed, or a condition failed
 * (someone else got there first). A transaction cancelled only because it met another one on the
 * same item (TransactionConflict: nothing was written) is retried with jittered backoff.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamo } from './aws.js';

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
export type TransactOutcome =
  | { committed: true }
  | {
      committed: false;
      failedItems: number[];
      /**
       * The item as it is now, by position, for each failed item that asked for it
       * (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, no extra read units): what the winner of
       * a race left, so the loser can decide again without reading it back.
       */
      currentItems: Map<number, Record<string, unknown>>;
    };

const MAX_CONFLICT_RETRIES = 6;

export async function transactWrite(items: TransactItems): Promise<TransactOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
      return { committed: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failedItems = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
      if (failedItems.length > 0) {
        // The exception is the low-level client's: its items are not unmarshalled like a response's.
        const currentItems = new Map(failedItems.flatMap((i) => (reasons[i]?.Item ? [[i, unmarshall(reasons[i].Item)] as const] : [])));
        return { committed: false, failedItems, currentItems };
      }
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      if (!conflict || attempt >= MAX_CONFLICT_RETRIES) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * 2 ** attempt));
    }
  }
}
