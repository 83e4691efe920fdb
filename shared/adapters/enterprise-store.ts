import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { transactWrite, type TransactItems } from './transact.js';
import type { CreditChange, CreditHistoryEntry, EnterpriseRecord, EnterpriseStore } from '../domain/enterprise.js';
import { conflict } from '../domain/errors.js';
import { dynamo, tableName, type ItemReader } from './aws.js';
import { keys } from './keys.js';
import { outboxPut } from './outbox.js';

let historySeq = 0;
const historyItem = (code: string, entry: CreditHistoryEntry) => ({
  ...keys.creditHistory(code, entry.at, (historySeq = (historySeq + 1) % 1_000_000)),
  itemType: 'credit-history',
  ...entry,
});

const toRecord = (item: Record<string, unknown>): EnterpriseRecord => {
  const { creditCode, name, registeredBureau, registeredAt, level, blacklisted, updatedAt, updatedByBureau, version } =
    item as EnterpriseRecord;
  return { creditCode, name, registeredBureau, registeredAt, level, blacklisted, updatedAt, updatedByBureau, version };
};

/** An enterprise and its credit, its item read by `readItem` (one request shared with other reads). */
export async function enterpriseWith(readItem: ItemReader, code: string): Promise<EnterpriseRecord | undefined> {
  const item = await readItem(keys.enterprise(code));
  return item ? toRecord(item) : undefined;
}

export const dynamoEnterpriseStore: EnterpriseStore = {
  async register(record) {
    try {
      await dynamo.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...keys.enterprise(record.creditCode), ...record, itemType: 'enterprise' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw conflict(`enterprise ${record.creditCode} is registered already`);
      throw error;
    }
  },

  async get(code) {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.enterprise(code), ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  },

  async history(code, limit) {
    const { Items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.enterprise(code).pk, ':prefix': keys.creditHistoryPrefix },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.reverse().map((i) => {
      const { at, bureau, principalId, from, to, wasBlacklisted, blacklisted, reason, objectionId } = i as CreditHistoryEntry;
      return { at, bureau, principalId, from, to, wasBlacklisted, blacklisted, reason, ...(objectionId ? { objectionId } : {}) };
    });
  },

  async commitCreditChange(change, expectedVersion) {
    const outcome = await transactWrite(creditChangeItems(change, expectedVersion));
    return outcome.committed;
  },
};

/**
 * The items of a credit change (record conditional on `expectedVersion`, history entry, outbox
 * event), for a transaction of their own or inside a larger one (an upheld credit objection).
 * The record's update is the first item.
 */
export function creditChangeItems(change: CreditChange, expectedVersion: number): TransactItems {
  const { next, history, event } = change;
  return [
    {
      Update: {
        TableName: tableName(),
        Key: keys.enterprise(next.creditCode),
        UpdateExpression: 'SET #level = :level, blacklisted = :bl, updatedAt = :at, updatedByBureau = :bureau, version = :next',
        ConditionExpression: 'version = :expected',
        ExpressionAttributeNames: { '#level': 'level' },
        ExpressionAttributeValues: {
          ':level': next.level,
          ':bl': next.blacklisted,
          ':at': next.updatedAt,
          ':bureau': next.updatedByBureau,
          ':next': next.version,
          ':expected': expectedVersion,
        },
      },
    },
    { Put: { TableName: tableName(), Item: historyItem(next.creditCode, history) } },
    outboxPut(event),
  ];
}
