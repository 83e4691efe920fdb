/**
 * Credit objections in DynamoDB (contract section 14). Each objection is an item in its
 * enterprise's partition. "One open objection at a time" is a guard item (`OPEN_OBJECTION`) put
 * with the objection in one transaction, conditional on its absence, and deleted by the decision:
 * two enterprises' clerks filing at the same moment cannot both succeed (no read-then-write).
 * An open objection is in the sparse GSI2 partition `OBJECTIONS_OPEN`, sorted by
 * `dueBy#creditCode#id`, so the overdue ones are one key-only query (few: at most one per
 * enterprise).
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CreditObjection, ObjectionDecided } from '../domain/credit-objection.js';
import { dynamo, tableName } from './aws.js';
import { creditChangeItems } from './enterprise-store.js';
import { GSI2, keys, withoutStorageAttributes } from './keys.js';
import { outboxPut } from './outbox.js';
import { transactWrite, type TransactItems } from './transact.js';

export type FileOutcome = { filed: true } | { filed: false; openObjectionId: string | undefined } | { filed: false; noEnterprise: true };
export type DecideOutcome = 'committed' | 'already-decided' | 'credit-moved';
export type OverdueObjection = { id: string; creditCode: string; dueBy: string };

export interface ObjectionStore {
  file(objection: CreditObjection): Promise<FileOutcome>;
  get(code: string, id: string): Promise<CreditObjection | undefined>;
  list(code: string, limit: number): Promise<CreditObjection[]>;
  /** Commits the decision (conditional on the objection being OPEN) with its credit change and events. */
  commitDecision(decided: ObjectionDecided, expectedEnterpriseVersion: number): Promise<DecideOutcome>;
  /** Open objections whose `dueBy` is before `now`, most overdue first. */
  overdue(now: string, limit: number): Promise<OverdueObjection[]>;
}

const toObjection = (item: Record<string, unknown>) => withoutStorageAttributes<CreditObjection>(item);

export const dynamoObjectionStore: ObjectionStore = {
  async file(objection) {
    const outcome = await transactWrite([
      {
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.enterprise(objection.creditCode),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        Put: {
          TableName: tableName(),
          Item: { ...keys.openCreditObjectionGuard(objection.creditCode), itemType: 'objection-guard', objectionId: objection.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.creditObjection(objection.creditCode, objection.id),
            itemType: 'credit-objection',
            ...objection,
            gsi2pk: keys.openCreditObjections,
            gsi2sk: keys.openCreditObjectionSort(objection.dueBy, objection.creditCode, objection.id),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    if (outcome.committed) return { filed: true };
    if (outcome.failedItems.includes(0)) return { filed: false, noEnterprise: true };
    const { Item } = await dynamo.send(
      new GetCommand({ TableName: tableName(), Key: keys.openCreditObjectionGuard(objection.creditCode), ConsistentRead: true }),
    );
    return { filed: false, openObjectionId: Item?.objectionId as string | undefined };
  },

  async get(code, id) {
    const { Item } = await dynamo.send(
      new GetCommand({ TableName: tableName(), Key: keys.creditObjection(code, id), ConsistentRead: true }),
    );
    return Item ? toObjection(Item) : undefined;
  },

  async list(code, limit) {
    const { Items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.enterprise(code).pk, ':prefix': keys.creditObjectionPrefix },
        ScanIndexForward: false, // ids are time-ordered: newest first
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return Items.map(toObjection);
  },

  async commitDecision(decided, expectedEnterpriseVersion) {
    const { objection } = decided;
    const items: TransactItems = [
      {
        Update: {
          TableName: tableName(),
          Key: keys.creditObjection(objection.creditCode, objection.id),
          UpdateExpression: 'SET #status = :status, decision = :decision REMOVE gsi2pk, gsi2sk',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': objection.status, ':decision': objection.decision, ':open': 'OPEN' },
        },
      },
      {
        Delete: {
          TableName: tableName(),
          Key: keys.openCreditObjectionGuard(objection.creditCode),
          ConditionExpression: 'objectionId = :id',
          ExpressionAttributeValues: { ':id': objection.id },
        },
      },
    ];
    // The credit change's own items (its first is the version-conditional record update).
    const creditItem = items.length;
    if (decided.creditChange) items.push(...creditChangeItems(decided.creditChange, expectedEnterpriseVersion));
    for (const event of decided.events) if (event.id !== decided.creditChange?.event.id) items.push(outboxPut(event));
    const outcome = await transactWrite(items);
    if (outcome.committed) return 'committed';
    if (outcome.failedItems.includes(0) || outcome.failedItems.includes(1)) return 'already-decided';
    if (outcome.failedItems.includes(creditItem)) return 'credit-moved';
    throw new Error(`objection ${objection.id}: decision refused on items ${outcome.failedItems.join(', ')}`);
  },

  async overdue(now, limit) {
    const { Items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :open AND gsi2sk < :now',
        ExpressionAttributeValues: { ':open': keys.openCreditObjections, ':now': now },
        Limit: limit,
      }),
    );
    // The sort key carries everything the overdue list shows (the index projects keys only).
    return Items.map((i) => keys.openCreditObjectionOf(String(i.gsi2sk)));
  },
};
