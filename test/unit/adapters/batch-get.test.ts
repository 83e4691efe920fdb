/**
 * BatchGet under throttling: DynamoDB answers part of a batch and names the rest UnprocessedKeys.
 * The one reader every store uses asks again with backoff, in chunks of 100, and fails rather
 * than answering short (the SDK client is stubbed: no emulator can be made to throttle).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchGetAll, dynamo } from '../../../shared/adapters/aws.js';
import { isOverloadError, isTransient } from '../../../shared/domain/transient-errors.js';

process.env.TABLE_NAME ??= 'T';
type Key = { pk: string };
const keysOf = (n: number): Key[] => Array.from({ length: n }, (_, i) => ({ pk: `K${i}` }));

/** A stub that serves at most `perCall` keys of each request and leaves the rest unprocessed. */
function throttling(perCall: number) {
  const requests: { keys: Key[]; at: number; consistent?: boolean }[] = [];
  vi.spyOn(dynamo, 'send').mockImplementation((async (command: { input: any }) => {
    const { Keys, ConsistentRead } = command.input.RequestItems.T;
    requests.push({ keys: Keys, at: performance.now(), consistent: ConsistentRead });
    const served = (Keys as Key[]).slice(0, perCall);
    const rest = (Keys as Key[]).slice(perCall);
    return { Responses: { T: served.map((k) => ({ ...k, found: true })) }, UnprocessedKeys: rest.length ? { T: { Keys: rest } } : {} };
  }) as never);
  return requests;
}

afterEach(() => vi.restoreAllMocks());

describe('batchGetAll', () => {
  it('asks again for the unprocessed keys, waiting longer each round, until every item is read', async () => {
    const requests = throttling(2);
    const items = await batchGetAll(keysOf(5), { consistent: true });
    expect(items.map((i) => i.pk).sort()).toEqual(['K0', 'K1', 'K2', 'K3', 'K4']);
    expect(requests.map((r) => r.keys.length)).toEqual([5, 3, 1]);
    expect(requests.every((r) => r.consistent)).toBe(true);
    // No tight loop: at least 10 ms, then 20 ms between rounds.
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(9);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(19);
  });

  it('reads more than 100 keys in requests of at most 100', async () => {
    const requests = throttling(100);
    const items = await batchGetAll(keysOf(250));
    expect(items).toHaveLength(250);
    expect(requests.map((r) => r.keys.length)).toEqual([100, 100, 50]);
    expect(requests.every((r) => r.consistent === undefined)).toBe(true);
  });

  it('fails, instead of answering short, when DynamoDB keeps leaving keys unprocessed', async () => {
    const requests = throttling(0);
    const failure = await batchGetAll(keysOf(3)).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/BatchGet left 3 items unread after 8 rounds/);
    expect(requests).toHaveLength(8);
    // Throttling, not a fault: a 503 with Retry-After for a reader, never counted against a declaration.
    expect(isOverloadError(failure)).toBe(true);
    expect(isTransient(failure)).toBe(true);
  });
});
