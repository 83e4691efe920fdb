/**
 * Inspect once, recognised everywhere; release anywhere (contract section 8). An officer of the
 * step's bureau records its outcome; every bureau sees it at once and no step is asked for twice.
 * The last pass releases the goods at the decision's release bureau with a certificate; any fail
 * fails the declaration. Each recording is conditional on the steps it was based on, so two
 * bureaus recording at the same moment cannot both miss that the other one was the last.
 */
import { declarationStore } from '../adapters/declaration-store.js';
import { signingKey } from '../adapters/signing-key.js';
import { issueRelease } from '../domain/certificate.js';
import { involvesBureau, type DeclarationRecord, type StepKind, type StepState, type TimelineEntry } from '../domain/declaration.js';
import { conflict, DomainError, forbidden, notFound } from '../domain/errors.js';
import type { Officer } from '../domain/principal.js';
import type { DeclarationStatus } from '../schemas/declaration.js';
import type { OutboxEvent } from '../domain/events.js';
import { declarationEvent } from './audit.js';

export type StepResult = { outcome: 'PASS' | 'FAIL'; remarks?: string };

const MAX_ATTEMPTS = 6;

export async function recordStep(
  declarationId: string,
  kind: StepKind,
  officer: Officer,
  result: StepResult,
  now = () => new Date().toISOString(),
): Promise<{ declaration: DeclarationRecord; event?: OutboxEvent }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const d = await declarationStore.get(declarationId);
    if (!d || !involvesBureau(d, officer.bureau)) throw notFound(`declaration ${declarationId}`);
    const index = d.steps.findIndex((s) => s.kind === kind);
    if (index < 0) throw notFound(`step ${kind} of declaration ${declarationId}`);
    const step = d.steps[index]!;
    if (step.bureau !== officer.bureau) throw forbidden(`step ${kind} is assigned to bureau ${step.bureau}`);
    if (step.status !== 'PENDING') {
      throw conflict(
        `step ${kind} was recorded already (${step.status} by ${step.recordedByBureau} at ${step.recordedAt}); a result counts everywhere`,
      );
    }
    if (d.status !== 'INSPECTION_REQUIRED') throw conflict(`declaration ${declarationId} is ${d.status}; steps can no longer be recorded`);

    const at = now();
    const recorded: StepState = {
      ...step,
      status: result.outcome === 'PASS' ? 'PASSED' : 'FAILED',
      recordedAt: at,
      recordedByBureau: officer.bureau,
      ...(result.remarks ? { remarks: result.remarks } : {}),
    };
    const steps = d.steps.map((s, i) => (i === index ? recorded : s));
    const failed = result.outcome === 'FAIL';
    const allPassed = steps.every((s) => s.status === 'PASSED');
    const to: DeclarationStatus = failed ? 'FAILED' : allPassed ? 'RELEASED' : 'INSPECTION_REQUIRED';
    const releaseBureau = d.decision?.releaseBureau ?? d.releaseBureau;
    const released = to === 'RELEASED' ? issueRelease(d, releaseBureau, at, 'INSPECTION', await signingKey()) : undefined;
    const event =
      to === 'INSPECTION_REQUIRED'
        ? undefined
        : declarationEvent(d, to, at, {
            step: { kind, bureau: officer.bureau, outcome: result.outcome, remarks: result.remarks },
            ...(released ? { release: released.release } : {}),
          });
    const detail = `${kind} ${failed ? 'failed' : 'passed'} at ${officer.bureau}${result.remarks ? `: ${result.remarks}` : ''}`;
    const timeline: TimelineEntry[] = [{ at, status: 'INSPECTION_REQUIRED', bureau: officer.bureau, detail }];
    if (to === 'RELEASED')
      timeline.push({ at, status: 'RELEASED', bureau: releaseBureau, detail: `released at ${releaseBureau} after inspection` });
    if (to === 'FAILED') timeline.push({ at, status: 'FAILED', bureau: officer.bureau, detail: `failed: ${kind} at ${officer.bureau}` });

    const version = d.stepsVersion ?? 0;
    const committed = await declarationStore.transition(d, {
      from: 'INSPECTION_REQUIRED',
      to,
      at,
      set: { steps, stepsVersion: version + 1, ...(released ? { release: released.release } : {}) },
      condition: { expression: '(stepsVersion = :seenVersion OR attribute_not_exists(stepsVersion))', values: { ':seenVersion': version } },
      timeline,
      ...(event ? { event } : {}),
      ...(to === 'RELEASED'
        ? {
            counters: { released: 1 },
            releaseSeconds: (Date.parse(at) - Date.parse(d.createdAt)) / 1000,
            certificate: { content: released!.content, digest: released!.release.digest, signature: released!.release.signature },
          }
        : to === 'FAILED'
          ? { counters: { failed: 1 } }
          : {}),
    });
    if (committed) {
      // Exactly what the transaction wrote: no need to read it back.
      const after: DeclarationRecord = {
        ...d,
        status: to,
        updatedAt: at,
        steps,
        stepsVersion: version + 1,
        release: released ? released.release : d.release,
        timeline: [...d.timeline, ...timeline],
      };
      return { declaration: after, ...(event ? { event } : {}) };
    }
    // Another bureau recorded a step in between: read again and decide on the new state.
  }
  throw new DomainError('conflict', `declaration ${declarationId} is changing too often; try again`);
}
