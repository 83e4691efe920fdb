/**
 * The counting adapter attributes each SDK call to the function whose invocation made it, even
 * when several functions' invocations interleave in one thread (as locally), and counts the
 * invocations and their duration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  allMeters,
  enableMetering,
  itemSize,
  meterDynamo,
  meteredInvocation,
  meterSnapshot,
  meterSqs,
  resetMeter,
  sizeUpdatedItems,
} from '../../../shared/adapters/metering.js';

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;

/** A stand-in SDK client: the metering middleware around a fake `send`. */
function fakeClient(respond: (command: string, input: Record<string, unknown>) => Record<string, unknown>) {
  let middleware: ((next: Handler, context: { commandName: string }) => Handler) | undefined;
  const client = { middlewareStack: { add: (mw: unknown) => void (middleware = mw as typeof middleware) } };
  return {
    client,
    send: async (command: string, input: Record<string, unknown> = {}) => {
      const next: Handler = async (args) => {
        await new Promise((r) => setTimeout(r, 1));
        return { output: respond(command, args.input) };
      };
      return middleware!(next, { commandName: `${command}Command` })({ input });
    },
  };
}

afterEach(() => {
  enableMetering(false);
  resetMeter();
});

describe('metering', () => {
  it('counts nothing while off', async () => {
    const dynamo = fakeClient(() => ({}));
    meterDynamo(dynamo.client);
    enableMetering(false);
    await meteredInvocation('Api', () => dynamo.send('GetItem'));
    expect(allMeters()).toEqual([]);
  });

  it("sizes items by DynamoDB's rules: names plus values", () => {
    expect(itemSize({ pk: 'abc' })).toBe(5);
    expect(itemSize({ s: 'é' })).toBe(3); // UTF-8 bytes
    expect(itemSize({ b: true, n: null })).toBe(4);
    expect(itemSize({ l: ['ab', 'c'] })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemSize({ x: 'x'.repeat(3000) })).toBe(3001);
    // the marshalled form sizes the same
    expect(itemSize({ pk: { S: 'abc' } })).toBe(5);
  });

  it("against the emulator, models a transaction's units from its items (DynamoDB Local's are wrong)", async () => {
    const previous = process.env.CLEARWAY_DYNAMODB_ENDPOINT;
    process.env.CLEARWAY_DYNAMODB_ENDPOINT = 'http://127.0.0.1:1';
    try {
      // What DynamoDB Local answered for a transaction like this one: 2.
      const dynamo = fakeClient(() => ({ ConsumedCapacity: [{ TableName: 't', CapacityUnits: 2 }] }));
      meterDynamo(dynamo.client);
      enableMetering();
      resetMeter();
      await dynamo.send('TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 't', Item: { pk: 'big', body: 'x'.repeat(5000) } } }, // 5 KB: 10 WCU
          { Put: { TableName: 't', Item: { pk: 'small', gsi4pk: 'B#SD' } } }, // 2 WCU + 2 for its index entry
          { Update: { TableName: 't', Key: { pk: 'ctr' }, UpdateExpression: 'ADD n :one REMOVE gsi2pk' } }, // 2 WCU + 2 (index entry removed)
          { ConditionCheck: { TableName: 't', Key: { pk: 'guard' }, ConditionExpression: 'attribute_exists(pk)' } }, // 2 WCU
        ],
      });
      expect(meterSnapshot().dynamodb).toMatchObject({ wcu: 20, transactItems: 4, indexWrites: 2 });
    } finally {
      if (previous === undefined) delete process.env.CLEARWAY_DYNAMODB_ENDPOINT;
      else process.env.CLEARWAY_DYNAMODB_ENDPOINT = previous;
    }
  });

  it("while sizing is on, charges an update in a transaction by its item's size after the commit", async () => {
    const previous = process.env.CLEARWAY_DYNAMODB_ENDPOINT;
    process.env.CLEARWAY_DYNAMODB_ENDPOINT = 'http://127.0.0.1:1';
    const probed: unknown[] = [];
    try {
      const dynamo = fakeClient(() => ({ ConsumedCapacity: [{ TableName: 't', CapacityUnits: 2 }] }));
      meterDynamo(dynamo.client);
      enableMetering();
      resetMeter();
      // A header of 4.2 KB after the update, a small counter, and an item the probe cannot read.
      sizeUpdatedItems(async (table, key) => {
        probed.push([table, key]);
        await new Promise((r) => setTimeout(r, 5)); // a read takes a while: transactions overlap
        return key.pk === 'header' ? 4200 : key.pk === 'ctr' ? 90 : Promise.reject(new Error('gone'));
      });
      const transact = {
        TransactItems: [
          { Update: { TableName: 't', Key: { pk: 'header' }, UpdateExpression: 'SET #s = :s' } }, // 5 KB: 10 WCU
          { Update: { TableName: 't', Key: { pk: 'ctr' }, UpdateExpression: 'ADD n :one' } }, // 2 WCU
          { Update: { TableName: 't', Key: { pk: 'unreadable' }, UpdateExpression: 'ADD n :one' } }, // the 1 KB minimum: 2 WCU
          { Put: { TableName: 't', Item: { pk: 'event', body: 'x'.repeat(1500) } } }, // puts by their request: 4 WCU
        ],
      };
      await dynamo.send('TransactWriteItems', transact);
      expect(meterSnapshot().dynamodb.wcu).toBe(18);
      expect(probed).toEqual([
        ['t', { pk: 'header' }],
        ['t', { pk: 'ctr' }],
        ['t', { pk: 'unreadable' }],
      ]);
      // Transactions committing at the same moment each add their own units, none lost.
      resetMeter();
      await Promise.all([
        dynamo.send('TransactWriteItems', transact),
        dynamo.send('TransactWriteItems', transact),
        dynamo.send('TransactWriteItems', transact),
      ]);
      expect(meterSnapshot().dynamodb.wcu).toBe(3 * 18);
      probed.length = 3;
      // Off again: the 1 KB minimum, and no reads.
      sizeUpdatedItems(null);
      resetMeter();
      await dynamo.send('TransactWriteItems', transact);
      expect(meterSnapshot().dynamodb.wcu).toBe(10);
      expect(probed).toHaveLength(3);
    } finally {
      sizeUpdatedItems(undefined);
      if (previous === undefined) delete process.env.CLEARWAY_DYNAMODB_ENDPOINT;
      else process.env.CLEARWAY_DYNAMODB_ENDPOINT = previous;
    }
  });

  it('attributes interleaved invocations to their own functions, with capacity, transaction items and SQS messages', async () => {
    const dynamo = fakeClient((command, input) => ({
      ConsumedCapacity:
        command === 'TransactWriteItems'
          ? [{ TableName: 't', CapacityUnits: 2 * (input.TransactItems as unknown[]).length }]
          : { TableName: 't', CapacityUnits: 0.5 },
    }));
    const sqs = fakeClient(() => ({}));
    meterDynamo(dynamo.client);
    meterSqs(sqs.client);
    enableMetering();
    resetMeter();
    await Promise.all([
      meteredInvocation('ApiDeclarations', async () => {
        await dynamo.send('TransactWriteItems', { TransactItems: [{}, {}, {}] });
        await sqs.send('SendMessageBatch', { Entries: [{}, {}] });
      }),
      meteredInvocation('AuditWorker', async () => {
        await dynamo.send('GetItem');
        await dynamo.send('GetItem');
      }),
      meteredInvocation('AuditWorker', () => dynamo.send('GetItem')),
    ]);
    const byName = Object.fromEntries(allMeters().map((m) => [m.function, m]));
    expect(byName.ApiDeclarations).toMatchObject({
      invocations: 1,
      dynamodb: { calls: { TransactWriteItems: 1 }, wcu: 6, rcu: 0, transactItems: 3 },
      sqs: { calls: { SendMessageBatch: 1 }, messages: 2 },
    });
    expect(byName.AuditWorker).toMatchObject({ invocations: 2, dynamodb: { calls: { GetItem: 3 }, rcu: 1.5, wcu: 0 } });
    expect(byName.AuditWorker!.durationMs).toBeGreaterThan(0);
  });

  it('counts calls outside any invocation against the default function, as the tests that call handlers read it', async () => {
    const dynamo = fakeClient(() => ({}));
    meterDynamo(dynamo.client);
    enableMetering();
    resetMeter();
    await dynamo.send('Query');
    expect(meterSnapshot().dynamodb.calls).toEqual({ Query: 1 });
  });
});
