/**
 * Declare anywhere (contract section 5): filing a declaration once whatever the retries, and
 * reading it as the caller may. Ports default to the production adapters; tests pass their own.
 */
import { declarationStore, type CreateResult, type IdempotencyGuard } from '../adapters/declaration-store.js';
import { queueCommittedWork, type WorkQueue } from '../adapters/sqs-queue.js';
import { auditQueue, type AuditMessage } from '../adapters/queues.js';
import { newDeclaration, visibleTo, type DeclarationRecord } from '../domain/declaration.js';
import { conflict, DomainError, invalid, notFound } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { DeclarationInput } from '../schemas/declaration.js';

export type DeclarationPorts = {
  declarations: Pick<typeof declarationStore, 'create' | 'get'>;
  /** Where a stored declaration waits for its audit. */
  audit: WorkQueue<AuditMessage>;
  now: () => string;
};

export const productionDeclarationPorts = (): DeclarationPorts => ({
  declarations: declarationStore,
  audit: auditQueue,
  now: () => new Date().toISOString(),
});

/** Visible ASCII, as HTTP header values allow, bounded. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** The guards that make a retried filing return the original: its clientRef, and an Idempotency-Key if sent. */
export function idempotencyGuards(clientRef: string, idempotencyKey: string | undefined): IdempotencyGuard[] {
  const guards: IdempotencyGuard[] = [{ kind: 'clientRef', value: clientRef }];
  if (idempotencyKey === undefined) return guards;
  if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw invalid('the Idempotency-Key header is not valid', [
      { path: 'headers.Idempotency-Key', message: 'must be 1..128 visible ASCII characters' },
    ]);
  }
  return [...guards, { kind: 'idempotencyKey', value: idempotencyKey }];
}

/** Only an enterprise files, and only for itself (403 naming the field). Batch intake applies the same rule per item. */
export function assertMayFile(input: DeclarationInput, by: Principal): void {
  if (by.kind !== 'enterprise' || input.enterpriseId !== by.enterpriseId) {
    throw new DomainError('forbidden', 'an enterprise may only declare for itself', [
      { path: 'enterpriseId', message: 'must be your own enterprise' },
    ]);
  }
}

/** The 409 for a clientRef or Idempotency-Key reused with another body (single and batch filing). */
export function reuseConflict(record: DeclarationRecord, existing: Extract<CreateResult, { created: false }>['existing']): DomainError {
  return conflict(
    `${existing.guard === 'clientRef' ? `clientRef "${record.clientRef}"` : 'this Idempotency-Key'} was used for declaration ${existing.declarationId} with a different body`,
    { existingDeclarationId: existing.declarationId },
  );
}

/** A filing: `accepted` when stored now (and queued for audit), `replayed` when it is a retry of one stored before. */
export type Submission = { outcome: 'accepted' | 'replayed'; declaration: DeclarationRecord };

/**
 * Files an enterprise's declaration, durable before it answers. The same clientRef or
 * Idempotency-Key with the same body answers the original (`replayed`); with another body, 409.
 */
export async function submitDeclaration(
  input: DeclarationInput,
  by: Principal,
  idempotencyKey: string | undefined,
  ports: DeclarationPorts = productionDeclarationPorts(),
): Promise<Submission> {
  assertMayFile(input, by);
  const guards = idempotencyGuards(input.clientRef, idempotencyKey);
  const record = newDeclaration(input, ports.now());
  const result = await ports.declarations.create(record, guards);
  if (!result.created) {
    const { existing } = result;
    if (existing.bodyHash !== record.bodyHash) throw reuseConflict(record, existing);
    const original = await ports.declarations.get(existing.declarationId);
    if (!original) throw notFound(`declaration ${existing.declarationId}`);
    return { outcome: 'replayed', declaration: original };
  }
  // Durable now. If the send fails, the redrive sweep queues it after CLEARWAY_STRANDED_AFTER_S.
  await queueCommittedWork(ports.audit, [{ declarationId: record.id, enterpriseId: record.enterpriseId }], 'declaration');
  return { outcome: 'accepted', declaration: record };
}

/** A declaration as `by` may see it; one it may not see is not found (404), like one that does not exist. */
export async function readDeclaration(
  id: string,
  by: Principal,
  ports: Pick<DeclarationPorts, 'declarations'> = productionDeclarationPorts(),
): Promise<DeclarationRecord> {
  const d = await ports.declarations.get(id);
  if (!d || !visibleTo(by, d)) throw notFound(`declaration ${id}`);
  return d;
}
