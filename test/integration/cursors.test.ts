/**
 * Hand-edited cursors are the client's input like any other: a 400, never a 500. The probe sent
 * base64url of `{"gsi1pk": "ENTDECL#<own code>"}` and got a 500 from DynamoDB's key validation.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as webhooks } from '../../functions/http/webhooks.js';
import { admin, call, enterprise } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
let code: string;
let issued: Record<string, string>;

beforeAll(async () => {
  code = newCreditCode();
  await call(enterprises, 'POST /enterprises', { principal: admin, body: { creditCode: code, name: 'Cursor Co', registeredBureau: 'SD' } });
  for (let i = 0; i < 3; i++) await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code) });
  const page = await call(declarations, 'GET /declarations', { principal: enterprise(code), query: { limit: '1' } });
  issued = JSON.parse(Buffer.from(page.body.nextCursor, 'base64url').toString()) as Record<string, string>;
});

const listings = [
  {
    name: '/declarations',
    list: (cursor: string) => call(declarations, 'GET /declarations', { principal: enterprise(code), query: { cursor } }),
    owner: () => `ENTDECL#${code}`,
  },
  {
    name: '/webhook/deliveries',
    list: (cursor: string) => call(webhooks, 'GET /webhook/deliveries', { principal: enterprise(code), query: { cursor } }),
    owner: () => `ENTDELIV#${code}`,
  },
];

describe.each(listings)('cursors of GET $name', ({ list, owner }) => {
  it('answers the probe’s hand-edited cursors with a 400 naming the cursor', async () => {
    const id = issued.pk!.slice('DECL#'.length);
    const edited = [
      { gsi1pk: owner() },
      { gsi1pk: owner(), gsi1sk: '' },
      { pk: '', sk: '', gsi1pk: owner(), gsi1sk: '' },
      { pk: 'DECL#x', sk: 'DECL', gsi1pk: owner(), gsi1sk: `2026-01-01T00:00:00.000Z#y` },
      { pk: `DECL#${id}`, sk: 'DECL', gsi1pk: owner(), gsi1sk: `not-a-time#${id}` },
      { pk: `DECL#${id}`, sk: 'DECL', gsi1pk: owner(), gsi1sk: issued.gsi1sk, extra: 'x' },
      { pk: 1, sk: 'DECL', gsi1pk: owner(), gsi1sk: issued.gsi1sk },
    ];
    for (const cursor of edited) {
      const res = await list(b64(cursor));
      expect(res.status, JSON.stringify(cursor)).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })]);
    }
  });

  it('property: any cursor-shaped value is a 200 or a 400, never a 5xx', async () => {
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constant(''), fc.constant(owner()), fc.integer(), fc.constant(null));
    await fc.assert(
      fc.asyncProperty(
        fc.record({ pk: value, sk: value, gsi1pk: fc.oneof(fc.constant(owner()), value), gsi1sk: value }, { requiredKeys: [] }),
        async (cursor) => {
          const res = await list(b64(cursor));
          expect([200, 400], JSON.stringify(cursor)).toContain(res.status);
        },
      ),
      { numRuns: 80 },
    );
  });
});
