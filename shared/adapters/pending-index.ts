/**
 * The sparse, sharded "pending work by age" index (GSI2). Items enter it when work on them is
 * committed and leave it when the work is done; the redrive sweep asks it for what has waited too
 * long. Sharding keeps any one index partition cool at peak intake.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamo, tableName } from './aws.js';
import { GSI2, PENDING_SHARDS } from './keys.js';

export type PendingItem = { pk: string; sk: string; waitingSince: string };

/** Items of every shard of `shardKey(n)` pending since before `olderThan` (ISO), oldest first. */
export async function findPending(shardKey: (shard: number) => string, olderThan: string, limitPerShard: number): Promise<PendingItem[]> {
  const shards = await Promise.all(
    Array.from({ length: PENDING_SHARDS }, (_, shard) =>
      dynamo.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: GSI2,
          KeyConditionExpression: 'gsi2pk = :shard AND gsi2sk < :before',
          ExpressionAttributeValues: { ':shard': shardKey(shard), ':before': olderThan },
          Limit: limitPerShard,
        }),
      ),
    ),
  );
  return shards.flatMap((r) => (r.Items ?? []).map((i) => ({ pk: i.pk as string, sk: i.sk as string, waitingSince: i.gsi2sk as string })));
}

/**
 * Restarts an item's wait (so a long queue at peak is not redriven every sweep) only if it is still
 * pending with the age the sweep saw: its sort key becomes `nextSort` (by default `now`; the parked
 * partition sorts by `time#id`). Returns false when it moved on meanwhile, so concurrent sweeps
 * claim an item once.
 */
export async function touchPending(item: PendingItem, now: string, nextSort = now): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET gsi2sk = :now ADD redriveCount :one',
        ConditionExpression: 'gsi2sk = :seen',
        ExpressionAttributeValues: { ':now': nextSort, ':seen': item.waitingSince, ':one': 1 },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
