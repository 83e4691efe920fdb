/**
 * What an audit decision says and keeps besides its status (audit.test.ts covers the lanes): the
 * timeline line per lane, an officer's step added before the audit, and which events go out.
 * Written against surviving mutants of shared/domain/audit.ts (npm run mutation).
 */
import { describe, expect, it } from 'vitest';
import { decideAudit } from '../../../shared/domain/audit.js';
import { proposeOverride } from '../../../shared/domain/overrides.js';
import { accepted, at, decision, testSeal } from '../../support/records.js';

const ctx = { at: at(2), seal: testSeal, timeLimitS: () => 86_400 };
const lane = 'rule set v3, credit A, route EXPORT_ORIGIN_AND_PORT';
const addedBeforeAudit = (kind: 'ORIGIN_INSPECTION' | 'PORT_DISINFECTION') =>
  proposeOverride(
    accepted(),
    { action: 'ADD_STEP', kind, reasonCode: 'INTELLIGENCE', remarks: 'tip-off' },
    { principalId: 'prn_ha_1', bureau: 'HA' },
    { at: at(1), seal: testSeal, timeLimitS: () => 86_400, id: 'ovr_1' },
  ).record;

describe('the timeline line of each lane', () => {
  it('inspection: the lane, then each step at its bureau', () => {
    const t = decideAudit(
      accepted(),
      decision([
        { kind: 'ORIGIN_INSPECTION', bureau: 'HA' },
        { kind: 'PORT_VERIFICATION', bureau: 'SD' },
      ]),
      ctx,
    );
    expect(t.timeline.map((e) => e.detail)).toEqual([`inspection required (${lane}): ORIGIN_INSPECTION at HA, PORT_VERIFICATION at SD`]);
  });

  it('returned: the lane and every reason, blacklisting named', () => {
    const t = decideAudit(
      accepted(),
      decision([], { mode: 'RETURNED', blacklisted: true, reasons: ['missing PRODUCER_RECORD', 'line 2 is on the export negative list'] }),
      ctx,
    );
    expect(t.timeline.map((e) => e.detail)).toEqual([
      'returned by the audit (rule set v3, credit A (blacklisted), route EXPORT_ORIGIN_AND_PORT): missing PRODUCER_RECORD; line 2 is on the export negative list',
    ]);
    expect(t.events.map((e) => e.type)).toEqual(['declaration.returned']);
  });

  it('document release: the lane and the release bureau, which the timeline entry names', () => {
    const t = decideAudit(accepted(), decision([]), ctx);
    expect(t.timeline).toEqual([
      expect.objectContaining({ status: 'RELEASED', bureau: 'GS', detail: `released on documents (${lane}) at GS` }),
    ]);
  });
});

describe('a step an officer added before the audit', () => {
  it('turns a document release into an inspection and says why in the decision', () => {
    const t = decideAudit(addedBeforeAudit('PORT_DISINFECTION'), decision([]), ctx);
    expect(t.record.decision).toMatchObject({
      mode: 'INSPECTION',
      steps: [{ kind: 'PORT_DISINFECTION', bureau: 'SD' }],
      reasons: ['an officer added PORT_DISINFECTION'],
    });
    expect(t.events.map((e) => e.type)).toEqual(['declaration.inspection_required', 'step.required']);
  });

  it('joins an inspection the audit required anyway, without a reason of its own and without being owed twice', () => {
    const t = decideAudit(addedBeforeAudit('PORT_DISINFECTION'), decision([{ kind: 'ORIGIN_INSPECTION', bureau: 'HA' }]), ctx);
    expect(t.record.decision!.reasons).toEqual([]);
    expect(t.record.steps.map((s) => `${s.kind}@${s.bureau} since ${s.requiredSince}`)).toEqual([
      `ORIGIN_INSPECTION@HA since ${at(2)}`,
      `PORT_DISINFECTION@SD since ${at(1)}`,
    ]);
  });

  it('of a kind the audit requires too: owed once', () => {
    const t = decideAudit(addedBeforeAudit('ORIGIN_INSPECTION'), decision([{ kind: 'ORIGIN_INSPECTION', bureau: 'HA' }]), ctx);
    expect(t.record.steps.filter((s) => s.kind === 'ORIGIN_INSPECTION')).toHaveLength(1);
  });
});
