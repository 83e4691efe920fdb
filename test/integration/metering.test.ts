/**
 * The meter against DynamoDB Local: an update in a transaction is charged by its item's size,
 * read after the commit, while the bench's switch file is in the meter dir (docs/cost.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../../shared/adapters/aws.js';
import { enableMetering, meterSnapshot, resetMeter, sizeSwitchFile } from '../../shared/adapters/metering.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-meter-'));
const previousDir = process.env.CLEARWAY_METER_DIR;
const key = { pk: `METERTEST#${Date.now()}`, sk: 'ITEM' };

beforeAll(async () => {
  process.env.CLEARWAY_METER_DIR = dir;
  await dynamo.send(new PutCommand({ TableName: tableName(), Item: { ...key, body: 'x'.repeat(5000) } }));
});
afterAll(() => {
  enableMetering(false);
  resetMeter();
  if (previousDir === undefined) delete process.env.CLEARWAY_METER_DIR;
  else process.env.CLEARWAY_METER_DIR = previousDir;
  fs.rmSync(dir, { recursive: true, force: true });
});

const updateWcu = async () => {
  resetMeter();
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        { Update: { TableName: tableName(), Key: key, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
      ],
    }),
  );
  return meterSnapshot().dynamodb.wcu;
};

it('charges an update of a 5 KB item 10 WCU while sizing is switched on, its 1 KB minimum otherwise', async () => {
  enableMetering();
  expect(await updateWcu()).toBe(2);
  fs.writeFileSync(sizeSwitchFile(dir), '');
  await new Promise((r) => setTimeout(r, 600)); // the switch is looked at twice a second
  expect(await updateWcu()).toBe(10);
  fs.rmSync(sizeSwitchFile(dir));
  await new Promise((r) => setTimeout(r, 600));
  expect(await updateWcu()).toBe(2);
});
