/**
 * Published texts that must say what the code does (contract review C3, C4, C5): the follow-up
 * rate of a blacklisted enterprise, the effectiveness `random` baseline, and the delivery failure
 * reasons. Each check pins the code's behaviour and the sentence that describes it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../shared/api/openapi.js';
import { allRoutes } from '../../shared/api/routes.js';
import { failureCause } from '../../shared/adapters/webhook-sender.js';
import { decideAudit } from '../../shared/domain/audit.js';
import { postReleaseRate } from '../../shared/domain/follow-up.js';
import { proposeOverride } from '../../shared/domain/overrides.js';
import { accepted, at, decision, testSeal } from '../support/records.js';

const apiMd = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const flat = apiMd.replace(/\s+/g, ' ');

describe('docs and schema texts agree with the code', () => {
  it('C3: a blacklisted enterprise gets the higher of D and its own level (schema text says so)', () => {
    const table = { AA: 0, A: 0.01, B: 0.5, C: 0.1, D: 0.2 };
    expect(postReleaseRate(table, { level: 'B', blacklisted: true })).toBe(0.5);
    expect(postReleaseRate(table, { level: 'A', blacklisted: true })).toBe(0.2);
    const doc = buildOpenApi(allRoutes) as any;
    const text = JSON.stringify(doc.components.schemas);
    expect(text).not.toContain('A blacklisted enterprise gets the D rate.');
    expect(text).toContain('at least the D rate');
  });

  it("C4: the random baseline looks at the audit's decision only; docs/api.md does not promise an ADD_STEP exclusion", () => {
    const added = proposeOverride(
      accepted(),
      { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', reasonCode: 'INTELLIGENCE', remarks: 'tip-off' },
      { principalId: 'prn_ha_1', bureau: 'HA' },
      { at: at(1), seal: testSeal, timeLimitS: () => 86_400, id: 'ovr_1' },
    ).record;
    const sampled = decision([{ kind: 'ORIGIN_INSPECTION', bureau: 'HA' }], { route: 'EXPORT_DIRECT', sampled: true });
    const t = decideAudit(added, sampled, { at: at(2), seal: testSeal, timeLimitS: () => 86_400 });
    expect(t.effectiveness!.random.inspected).toBe(1); // the officer's step does not take it out
    expect(flat).not.toContain("no officer's ADD_STEP: the baseline");
    expect(flat).toContain('does not take it out of the baseline');
  });

  it('C5: docs/api.md lists every failure reason the sender produces, `network` included', () => {
    const causes = new Set(
      [{ code: 'EBLOCKED' }, { code: 'ECONNREFUSED' }, { name: 'TimeoutError' }, { code: 'ENOTFOUND' }, { code: 'ERR_TLS_X' }, { code: 'ECONNRESET' }, {}].map(
        (e) => failureCause(e),
      ),
    );
    expect(causes).toContain('network');
    for (const cause of causes) expect(flat, cause).toContain(`\`${cause}\``);
  });
});
