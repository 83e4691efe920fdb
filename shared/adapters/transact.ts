/**
 * TransactWriteItems with the two outcomes callers care about: committed, or a condition failed
 * (someone else got there first). A transaction cancelled only because it met another one on the
 * same item (TransactionConflict: nothing was written) is retried with jittered backoff.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws.js';

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
export type TransactOutcome = { committed: true } | { committed: false; failedItems: number[] };

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
      if (failedItems.length > 0) return { committed: false, failedItems };
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      if (!conflict || attempt >= MAX_CONFLICT_RETRIES) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * 2 ** attempt));
    }
  }
}
