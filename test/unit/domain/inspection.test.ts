import { describe, expect, it } from 'vitest';
import { recordStep } from '../../../shared/domain/inspection.js';
import { recordStep as recordStepUseCase, type InspectionPorts } from '../../../shared/app/inspection.js';
import { DomainError } from '../../../shared/domain/errors.js';
import type { Officer } from '../../../shared/domain/principal.js';
import { at, awaitingInspection, casStore, testSeal, kindOf } from '../../support/records.js';

const HA = { bureau: 'HA', principalId: 'prn_ha' };
const SD = { bureau: 'SD', principalId: 'prn_sd' };
const ctx = (seconds: number) => ({ at: at(seconds), seal: testSeal });

describe('recording a step (pure transition)', () => {
  it('records one of two steps: still awaiting inspection, nothing sent, the worklist entry changes', () => {
    const d = awaitingInspection();
    const t = recordStep(d, 'ORIGIN_INSPECTION', HA, { outcome: 'PASS', remarks: 'sealed' }, ctx(60));
    expect(t).toMatchObject({ from: 'INSPECTION_REQUIRED', to: 'INSPECTION_REQUIRED', expectedVersion: 1, events: [], counters: {} });
    expect(t.record.version).toBe(2);
    expect(t.record.steps[0]).toMatchObject({ status: 'PASSED', recordedAt: at(60), recordedByBureau: 'HA', remarks: 'sealed' });
    expect(t.record.steps[1]).toEqual(d.steps[1]);
    expect(t.worklist.map((s) => s.kind)).toEqual(['ORIGIN_INSPECTION']);
    expect(t.timeline).toEqual([
      { at: at(60), status: 'INSPECTION_REQUIRED', bureau: 'HA', detail: 'ORIGIN_INSPECTION passed at HA: sealed' },
    ]);
    expect(t.record.timeline).toEqual([...d.timeline, ...t.timeline]);
    expect(t.certificate).toBeUndefined();
    // The input is not touched.
    expect(d.steps[0]!.status).toBe('PENDING');
  });

  it('releases at the decision release bureau with a certificate when the last step passes', () => {
    const d = awaitingInspection();
    const half = recordStep(d, 'ORIGIN_INSPECTION', HA, { outcome: 'PASS' }, ctx(60)).record;
    const t = recordStep(half, 'PORT_VERIFICATION', SD, { outcome: 'PASS' }, ctx(120));
    expect(t).toMatchObject({
      from: 'INSPECTION_REQUIRED',
      to: 'RELEASED',
      expectedVersion: 2,
      counters: { released: 1 },
      releaseSeconds: 120,
    });
    expect(t.record.release).toEqual({
      bureau: 'GS',
      certificateNo: t.certificate!.content.certificateNo,
      releasedAt: at(120),
      mode: 'INSPECTION',
      digest: `digest-of-${t.certificate!.content.certificateNo}`,
      signature: 'sig',
    });
    expect(t.certificate!.content).toMatchObject({ declarationId: d.id, bureau: 'GS', mode: 'INSPECTION', totalValueUsd: 900 });
    expect(t.events).toHaveLength(1);
    expect(t.events[0]).toMatchObject({
      type: 'declaration.released',
      enterpriseId: d.enterpriseId,
      data: { declarationId: d.id, release: t.record.release },
    });
    expect(t.timeline.map((e) => e.status)).toEqual(['INSPECTION_REQUIRED', 'RELEASED']);
  });

  it('fails the declaration on a FAIL and counts it', () => {
    const t = recordStep(awaitingInspection(), 'ORIGIN_INSPECTION', HA, { outcome: 'FAIL', remarks: 'log broken' }, ctx(60));
    expect(t).toMatchObject({ to: 'FAILED', counters: { failed: 1 } });
    expect(t.events.map((e) => e.type)).toEqual(['declaration.failed']);
    expect(t.timeline.at(-1)).toEqual({ at: at(60), status: 'FAILED', bureau: 'HA', detail: 'failed: ORIGIN_INSPECTION at HA' });
    expect(kindOf(() => recordStep(t.record, 'PORT_VERIFICATION', SD, { outcome: 'PASS' }, ctx(61)))).toBe('conflict');
  });

  it('cancels the other pending steps on a FAIL, so they leave the worklist and the due index (409 naming CANCELLED after)', () => {
    const d = awaitingInspection();
    const t = recordStep(d, 'ORIGIN_INSPECTION', HA, { outcome: 'FAIL' }, ctx(60));
    expect(t.record.steps.map((s) => [s.kind, s.status])).toEqual([
      ['ORIGIN_INSPECTION', 'FAILED'],
      ['PORT_VERIFICATION', 'CANCELLED'],
    ]);
    // Both steps changed, so the transaction rewrites both worklist items (the cancelled one out of PENDING).
    expect(t.worklist.map((s) => [s.kind, s.status])).toEqual([
      ['ORIGIN_INSPECTION', 'FAILED'],
      ['PORT_VERIFICATION', 'CANCELLED'],
    ]);
    expect(t.record.steps[1]).toEqual({ ...d.steps[1], status: 'CANCELLED' });
    let message = '';
    try {
      recordStep(t.record, 'PORT_VERIFICATION', SD, { outcome: 'PASS' }, ctx(61));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/CANCELLED/);
    expect(message).not.toMatch(/recorded already/);
  });

  it('answers who may not record what: 404 not involved or no such step, 403 another bureau, 409 recorded already', () => {
    const d = awaitingInspection();
    expect(kindOf(() => recordStep(d, 'ORIGIN_INSPECTION', { bureau: 'QH' }, { outcome: 'PASS' }, ctx(1)))).toBe('not-found');
    expect(kindOf(() => recordStep(d, 'PORT_INSPECTION', HA, { outcome: 'PASS' }, ctx(1)))).toBe('not-found');
    expect(kindOf(() => recordStep(d, 'ORIGIN_INSPECTION', SD, { outcome: 'PASS' }, ctx(1)))).toBe('forbidden');
    const once = recordStep(d, 'ORIGIN_INSPECTION', HA, { outcome: 'PASS' }, ctx(1)).record;
    expect(kindOf(() => recordStep(once, 'ORIGIN_INSPECTION', HA, { outcome: 'PASS' }, ctx(2)))).toBe('conflict');
  });
});

describe('recording steps that race (the use case over a compare-and-set store)', () => {
  const officer = (bureau: string): Officer => ({ id: `prn_${bureau}`, kind: 'officer', bureau, roles: ['inspector'] });

  it('releases exactly once when the last two steps are recorded at the same moment', async () => {
    // Both recordings read the record before either commits.
    let readers = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    const cas = casStore(awaitingInspection(), async () => {
      if (++readers === 2) release();
      await bothRead;
    });
    const ports: InspectionPorts = { store: cas.store, sealer: async () => testSeal, clock: () => at(300) };
    const [a, b] = await Promise.all([
      recordStepUseCase('d', 'ORIGIN_INSPECTION', officer('HA'), { outcome: 'PASS' }, ports),
      recordStepUseCase('d', 'PORT_VERIFICATION', officer('SD'), { outcome: 'PASS' }, ports),
    ]);
    const final = cas.current();
    expect(final.status).toBe('RELEASED');
    expect(final.steps.every((s) => s.status === 'PASSED')).toBe(true);
    expect(final.timeline.filter((e) => e.status === 'RELEASED')).toHaveLength(1);
    expect(cas.committed.map((t) => t.to).sort()).toEqual(['INSPECTION_REQUIRED', 'RELEASED']);
    expect(cas.committed.flatMap((t) => t.events).map((e) => e.type)).toEqual(['declaration.released']);
    expect(cas.committed.filter((t) => t.certificate)).toHaveLength(1);
    expect([a.declaration.status, b.declaration.status].sort()).toEqual(['INSPECTION_REQUIRED', 'RELEASED']);
  });

  it('answers 409 to the second of two recordings of the same step', async () => {
    const cas = casStore(awaitingInspection());
    const ports: InspectionPorts = { store: cas.store, sealer: async () => testSeal, clock: () => at(300) };
    const results = await Promise.allSettled([
      recordStepUseCase('d', 'ORIGIN_INSPECTION', officer('HA'), { outcome: 'PASS' }, ports),
      recordStepUseCase('d', 'ORIGIN_INSPECTION', officer('HA'), { outcome: 'FAIL' }, ports),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as DomainError).kind).toBe('conflict');
    expect(cas.committed).toHaveLength(1);
  });
});
