/**
 * Rule sets of the virtual audit center. The active-version pointer is read on every use (one
 * strongly consistent GetItem), so a publish takes effect for every bureau at once; a published
 * version never changes, so its body is cached per container by version.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_SAMPLING, type SamplingTable } from '../domain/rules/measures.js';
import { dynamo, tableName } from './aws.js';
import { keys } from './keys.js';

export type ActiveRuleSet = { version: number | null; sampling: SamplingTable };

const published = new Map<number, ActiveRuleSet>();

export async function activeVersion(): Promise<number | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.ruleSetPointer, ConsistentRead: true }));
  return Item ? (Item.version as number) : undefined;
}

export async function activeRuleSetForAudit(): Promise<ActiveRuleSet> {
  const version = await activeVersion();
  if (version === undefined) return { version: null, sampling: DEFAULT_SAMPLING };
  let found = published.get(version);
  if (!found) {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.ruleSet(version) }));
    if (!Item) throw new Error(`active rule set ${version} is missing`);
    found = { version, sampling: Item.sampling as SamplingTable };
    published.set(version, found);
  }
  return found;
}
