import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../domain/principal.js';
import { dynamo, tableName } from './aws.js';
import { keys } from './keys.js';

export type PrincipalRecord = Principal & { keyHash: string; createdAt: string; createdBy: string };

export interface PrincipalStore {
  create(record: PrincipalRecord): Promise<void>;
  findByKeyHash(keyHash: string): Promise<Principal | undefined>;
}

export const dynamoPrincipalStore: PrincipalStore = {
  async create(record) {
    await dynamo.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.principalByKeyHash(record.keyHash), ...record, itemType: 'principal' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },
  async findByKeyHash(keyHash) {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.principalByKeyHash(keyHash) }));
    if (!Item) return undefined;
    const { id, kind, enterpriseId, bureau, roles } = Item as PrincipalRecord;
    return { id, kind, ...(enterpriseId ? { enterpriseId } : {}), ...(bureau ? { bureau } : {}), ...(roles ? { roles } : {}) };
  },
};
