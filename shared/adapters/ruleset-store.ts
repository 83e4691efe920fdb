/**
 * Rule sets of the virtual audit center. A version is written once (as a draft) and never changes
 * but for its publication. The active-version pointer is read on every audit (one strongly
 * consistent GetItem), so a publish takes effect for every bureau at once; published versions are
 * immutable, so each is compiled once per container and cached by version.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { transactWrite } from './transact.js';
import { conflict, DomainError } from '../domain/errors.js';
import { compileRuleSet, type CompiledRuleSet } from '../domain/rules/engine.js';
import type { RuleSetInput } from '../schemas/ruleset.js';
import { dynamo, tableName, type ItemReader } from './aws.js';
import { GSI1, keys } from './keys.js';

/** Compressed bodies above this would not fit a DynamoDB item with room to spare. */
const MAX_STORED_BYTES = 350_000;

export type RuleSetRecord = RuleSetInput & {
  version: number;
  status: 'DRAFT' | 'PUBLISHED';
  createdAt: string;
  createdBy: string;
  publishedAt?: string;
  publishedBy?: string;
};

const compiled = new Map<number, CompiledRuleSet>();
const MAX_COMPILED = 16;

function toRecord(item: Record<string, unknown>): RuleSetRecord {
  const body = JSON.parse(gunzipSync(item.body as Uint8Array).toString('utf8')) as RuleSetInput;
  return {
    ...body,
    version: item.version as number,
    status: item.status as RuleSetRecord['status'],
    createdAt: item.createdAt as string,
    createdBy: item.createdBy as string,
    ...(item.publishedAt ? { publishedAt: item.publishedAt as string, publishedBy: item.publishedBy as string } : {}),
  };
}

export const ruleSetStore = {
  /** Stores a new draft under the next version number. */
  async createDraft(input: RuleSetInput, by: string, now: string): Promise<RuleSetRecord> {
    const body = gzipSync(JSON.stringify(input));
    if (body.length > MAX_STORED_BYTES)
      throw new DomainError('too-large', `the rule set is ${body.length} bytes compressed; the limit is ${MAX_STORED_BYTES}`);
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.ruleSetSequence,
        UpdateExpression: 'ADD lastVersion :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const version = Attributes!.lastVersion as number;
    await dynamo.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.ruleSet(version),
          itemType: 'ruleset',
          version,
          status: 'DRAFT',
          createdAt: now,
          createdBy: by,
          body,
          gsi1pk: keys.ruleSetList,
          gsi1sk: keys.ruleSet(version).pk,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { ...input, version, status: 'DRAFT', createdAt: now, createdBy: by };
  },

  async get(version: number): Promise<RuleSetRecord | undefined> {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.ruleSet(version), ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  },

  async activeVersion(): Promise<number | undefined> {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.ruleSetPointer, ConsistentRead: true }));
    return Item ? (Item.version as number) : undefined;
  },

  /** The active rule set, compiled (cached per version: published versions never change). */
  async activeCompiled(): Promise<CompiledRuleSet | undefined> {
    const version = await ruleSetStore.activeVersion();
    if (version === undefined) return undefined;
    return ruleSetStore.compiled(version);
  },

  /** The same, the pointer read by `readItem` (one request shared with other reads: the audit's). */
  async activeCompiledWith(readItem: ItemReader): Promise<CompiledRuleSet | undefined> {
    const pointer = await readItem(keys.ruleSetPointer);
    return pointer ? ruleSetStore.compiled(pointer.version as number) : undefined;
  },

  async compiled(version: number): Promise<CompiledRuleSet | undefined> {
    let found = compiled.get(version);
    if (!found) {
      const record = await ruleSetStore.get(version);
      if (!record) return undefined;
      found = compileRuleSet(record, version);
      // A version's body never changes, draft or published (publishing only flips its status), so
      // drafts are cached too: simulating a big draft again does not compile it again. Bounded.
      if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
      compiled.set(version, found);
    }
    return found;
  },

  /** Makes a draft the active version for every bureau at once: one transaction, or nothing. */
  async publish(version: number, by: string, now: string): Promise<void> {
    const outcome = await transactWrite([
      {
        Update: {
          TableName: tableName(),
          Key: keys.ruleSet(version),
          UpdateExpression: 'SET #status = :published, publishedAt = :now, publishedBy = :by',
          ConditionExpression: '#status = :draft',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':published': 'PUBLISHED', ':draft': 'DRAFT', ':now': now, ':by': by },
        },
      },
      {
        Put: {
          TableName: tableName(),
          Item: { ...keys.ruleSetPointer, itemType: 'ruleset-pointer', version, switchedAt: now, switchedBy: by },
        },
      },
    ]);
    if (!outcome.committed) throw conflict(`rule set ${version} is not a draft: a published version never changes`);
  },

  /** Versions, newest first (for listing). */
  async list(limit: number): Promise<{ version: number; status: string; createdAt: string }[]> {
    const { Items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :list',
        ExpressionAttributeValues: { ':list': keys.ruleSetList },
        ScanIndexForward: false,
        Limit: limit,
        ProjectionExpression: 'version, #status, createdAt',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Items as { version: number; status: string; createdAt: string }[];
  },

  /** First start: the default rule set as version 1, published, unless a rule set exists. */
  async seedDefault(input: RuleSetInput, now: string): Promise<boolean> {
    if ((await ruleSetStore.activeVersion()) !== undefined) return false;
    const body = gzipSync(JSON.stringify(input));
    const outcome = await transactWrite([
      {
        Put: { TableName: tableName(), Item: { ...keys.ruleSetSequence, lastVersion: 1 }, ConditionExpression: 'attribute_not_exists(pk)' },
      },
      {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.ruleSet(1),
            itemType: 'ruleset',
            version: 1,
            status: 'PUBLISHED',
            createdAt: now,
            createdBy: 'seed',
            publishedAt: now,
            publishedBy: 'seed',
            body,
            gsi1pk: keys.ruleSetList,
            gsi1sk: keys.ruleSet(1).pk,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: tableName(),
          Item: { ...keys.ruleSetPointer, itemType: 'ruleset-pointer', version: 1, switchedAt: now, switchedBy: 'seed' },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    return outcome.committed; // not committed: another instance seeded first
  },
};

/** Sampling table and version for the credit lookup's measures (same source as the audit). */
export async function activeRuleSetForAudit(): Promise<{ version: number | null; sampling: CompiledRuleSet['sampling'] }> {
  const active = await ruleSetStore.activeCompiled();
  if (active) return { version: active.version, sampling: active.sampling };
  const { DEFAULT_SAMPLING } = await import('../domain/rules/measures.js');
  return { version: null, sampling: DEFAULT_SAMPLING };
}
