/**
 * Stop under load, start again: nothing that got a 202 is lost. The SQS emulator keeps messages in
 * memory, so whatever was queued at the stop is gone; DynamoDB is the source of truth and the
 * redrive (at start, then every CLEARWAY_STRANDED_AFTER_S / 2) queues it again.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { client, newDataDir, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

// Two starts: on a loaded machine each can take over a minute (as in local-runtime-hardening.test.ts).
vi.setConfig({ testTimeout: 400_000 });
let platform: LocalProcess | undefined;
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
});

describe('stop under load', () => {
  it('audits every accepted declaration after a restart', async () => {
    const dataDir = newDataDir();
    // Short: the redrive (at start, then every 4 s) queues again what the stop left in ACCEPTED.
    // Admission wide open: intake (one request each) outruns the audit, so work is queued at the stop.
    const env = {
      CLEARWAY_ADMIN_KEY: 'e2e-admin',
      CLEARWAY_STRANDED_AFTER_S: '8',
      CLEARWAY_INTAKE_MAX_BACKLOG: '100000',
      CLEARWAY_INTAKE_MAX_IN_FLIGHT: '100000',
      CLEARWAY_INTAKE_WRITE_TARGET_MS: '100000',
    };
    platform = await startLocal({ dataDir, env });
    const admin = client(platform.url, 'e2e-admin');
    const code = newCreditCode();
    await admin('POST', '/enterprises', { creditCode: code, name: 'Restart Co', registeredBureau: 'GS', creditLevel: 'B' });
    const key = (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey;
    const api = client(platform.url, key);

    // Declarations keep coming while the platform is told to stop: the stop comes once the first 20
    // are stored (a fixed delay is no bound on a loaded machine), with the rest still in flight.
    let stored = 0;
    let enoughStored: () => void = () => undefined;
    const twentyStored = new Promise<void>((r) => (enoughStored = r));
    const submissions = Array.from({ length: 200 }, () =>
      api('POST', '/declarations', declarationBody(code))
        .then((r) => {
          if (r.status === 202 && ++stored === 20) enoughStored();
          return r;
        })
        .catch(() => undefined),
    );
    await Promise.race([twentyStored, new Promise((r) => setTimeout(r, 60_000))]);
    const stopped = platform.stop('SIGTERM');
    const ids = (await Promise.all(submissions)).filter((r) => r?.status === 202).map((r) => r!.body.id as string);
    expect(await stopped).toBe(0);
    const stoppedAt = new Date().toISOString();
    expect(ids.length).toBeGreaterThan(0);

    platform = await startLocal({ dataDir, port: platform.port, env });
    const restarted = client(platform.url, key);
    // Generous: on a loaded machine the audit of a few hundred queued again takes a while.
    const until = Date.now() + 150_000;
    let pending = ids;
    while (pending.length && Date.now() < until) {
      const statuses = await Promise.all(pending.map((id) => restarted('GET', `/declarations/${id}`)));
      pending = pending.filter((_, i) => statuses[i]!.body.status === 'ACCEPTED');
      if (pending.length) await new Promise((r) => setTimeout(r, 250));
    }
    expect(pending).toEqual([]);
    // Each audited exactly once, however often it was queued: one audit entry in every timeline.
    const auditedAt: string[] = [];
    for (const id of ids) {
      const { body } = await restarted('GET', `/declarations/${id}`);
      const audits = body.timeline.filter((t: { detail: string }) => /rule set v\d/.test(t.detail));
      expect(audits).toHaveLength(1);
      auditedAt.push(audits[0].at);
    }
    // The test means something only if the stop really left work behind: some were audited after it.
    expect(auditedAt.filter((at) => at > stoppedAt).length).toBeGreaterThan(0);
  });
});
