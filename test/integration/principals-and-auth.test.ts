import { describe, expect, it } from 'vitest';
import { handler as principals } from '../../functions/http/principals.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as authorizer } from '../../functions/authorizer.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { newCreditCode } from '../support/fixtures.js';

const authorize = (authorization?: string) =>
  authorizer({ headers: authorization === undefined ? {} : { authorization }, requestContext: { requestId: 'r' } } as any);

describe('POST /principals', () => {
  it('creates an officer whose key the authorizer resolves to that officer', async () => {
    const res = await call(principals, 'POST /principals', {
      principal: admin,
      body: { kind: 'officer', bureau: 'XJ', roles: ['credit', 'stats'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'officer', bureau: 'XJ', roles: ['credit', 'stats'] });
    expect(res.body.apiKey).toMatch(/^cw_off_/);
    const auth = await authorize(`Bearer ${res.body.apiKey}`);
    expect(auth.isAuthorized).toBe(true);
    expect(JSON.parse((auth.context as any).principal)).toEqual({
      id: res.body.id,
      kind: 'officer',
      bureau: 'XJ',
      roles: ['credit', 'stats'],
    });
  });

  it('never stores the key itself', async () => {
    const res = await call(principals, 'POST /principals', { principal: admin, body: { kind: 'admin' } });
    const { dynamo } = await import('../../shared/adapters/aws.js');
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const all = await dynamo.send(new ScanCommand({ TableName: process.env.TABLE_NAME }));
    expect(JSON.stringify(all.Items)).not.toContain(res.body.apiKey);
  });

  it('creates an enterprise principal only for a registered enterprise', async () => {
    const code = newCreditCode();
    const before = await call(principals, 'POST /principals', { principal: admin, body: { kind: 'enterprise', enterpriseId: code } });
    expect(before.status).toBe(400);
    expect(before.body.errors).toEqual([expect.objectContaining({ path: 'enterpriseId' })]);
    await call(enterprises, 'POST /enterprises', {
      principal: admin,
      body: { creditCode: code, name: 'Horgos Trade', registeredBureau: 'XJ' },
    });
    const after = await call(principals, 'POST /principals', { principal: admin, body: { kind: 'enterprise', enterpriseId: code } });
    expect(after.status).toBe(201);
    expect(after.body.enterpriseId).toBe(code);
  });

  it.each([
    ['an officer', officer('SD', 'credit', 'rules', 'stats', 'inspector')],
    ['an enterprise', enterprise('91350100M000100Y43')],
  ])('is forbidden to %s (403 problem)', async (_, principal) => {
    const res = await call(principals, 'POST /principals', { principal, body: { kind: 'admin' } });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });

  it('answers 401 without a principal, before looking at the body', async () => {
    const res = await call(principals, 'POST /principals', { rawBody: '{not json' });
    expect(res.status).toBe(401);
    expect(res.body.type).toMatch(/unauthenticated/);
  });
});

describe('authorizer', () => {
  it('resolves the admin key from the environment (local mode)', async () => {
    const auth = await authorize('Bearer test-admin-key');
    expect(JSON.parse((auth.context as any).principal)).toEqual({ id: 'admin', kind: 'admin' });
  });
  it.each([
    [undefined, 'missing'],
    ['Basic abc', 'malformed'],
    ['Bearer not-a-key', 'unknown'],
  ])('passes %s on as "%s" so the handler can answer 401', async (header, reason) => {
    const auth = await authorize(header);
    expect(auth).toEqual({ isAuthorized: true, context: { reason } });
  });
});
