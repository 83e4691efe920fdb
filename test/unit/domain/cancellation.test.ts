/**
 * What a cancellation writes besides its status (the state machine itself is in lifecycle.test.ts):
 * the timeline line the enterprise and officers read, the webhook's data, and the 409's status.
 * Written against surviving mutants of shared/domain/cancellation.ts (npm run mutation).
 */
import { describe, expect, it } from 'vitest';
import { cancelDeclaration } from '../../../shared/domain/cancellation.js';
import { DomainError } from '../../../shared/domain/errors.js';
import { accepted, at, awaitingInspection } from '../../support/records.js';

describe('cancelDeclaration', () => {
  it('says in the timeline who cancelled, why, with the remarks, and from which status', () => {
    const d = awaitingInspection();
    const t = cancelDeclaration(d, { reasonCode: 'C03', remarks: 'buyer withdrew' }, at(300));
    expect(t.timeline).toEqual([
      {
        at: at(300),
        status: 'CANCELLED',
        bureau: d.declaredAt,
        detail: 'cancelled by the enterprise (C03: buyer withdrew), was INSPECTION_REQUIRED',
      },
    ]);
    expect(cancelDeclaration(accepted(), { reasonCode: 'C01' }, at(5)).timeline[0]!.detail).toBe(
      'cancelled by the enterprise (C01), was ACCEPTED',
    );
  });

  it('tells the enterprise with declaration.cancelled carrying status, reason and the status it left', () => {
    const d = accepted();
    const [event] = cancelDeclaration(d, { reasonCode: 'C02' }, at(9)).events;
    expect(event).toMatchObject({
      type: 'declaration.cancelled',
      enterpriseId: d.enterpriseId,
      timestamp: at(9),
      data: {
        declarationId: d.id,
        clientRef: d.clientRef,
        status: 'CANCELLED',
        previousStatus: 'ACCEPTED',
        cancellation: { reasonCode: 'C02', cancelledAt: at(9), fromStatus: 'ACCEPTED' },
      },
    });
  });

  it('a final declaration answers 409 naming its status (the problem carries it for clients)', () => {
    const cancelled = cancelDeclaration(accepted(), { reasonCode: 'C01' }, at(3)).record;
    const e = (() => {
      try {
        cancelDeclaration(cancelled, { reasonCode: 'C01' }, at(4));
      } catch (err) {
        return err as DomainError;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(DomainError);
    expect(e.kind).toBe('conflict');
    expect(e.extensions).toEqual({ status: 'CANCELLED' });
  });
});
