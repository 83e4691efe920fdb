/**
 * Batch intake (contract section 16): up to 100 declarations in one request, each answered as
 * POST /declarations would answer it alone (202 stored now, 200 a retry of one stored before, 400,
 * 403, 409, 413), in input order. Valid items are stored in packed transactions
 * (shared/adapters/declaration-batch.ts) and queued for audit ten to an SQS request.
 * A pack that fails under load while others were stored answers its items 503 + Retry-After each
 * (what the single call would answer under load); the stored items are still 202 and queued.
 * A pack that fails for a reason of its own (a fault, not load) answers its items 500, as the
 * single call would: telling the client "busy, retry" would have it retry a fault for ever.
 */
import { createMany, type BatchCreateResult, type BatchEntry } from '../adapters/declaration-batch.js';
import { logger } from '../http/logger.js';
import { queueCommittedWork, type WorkQueue } from '../adapters/sqs-queue.js';
import { auditQueue, type AuditMessage } from '../adapters/queues.js';
import { newDeclaration } from '../domain/declaration.js';
import { isTransient } from '../domain/transient-errors.js';
import { DomainError, overloaded } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { MAX_BODY_BYTES, parseWith } from '../http/body.js';
import { declarationInput } from '../schemas/declaration.js';
import { assertMayFile, idempotencyGuards, reuseConflict } from './declarations.js';

export type BatchPorts = {
  createMany: (entries: BatchEntry[]) => Promise<BatchCreateResult[]>;
  audit: WorkQueue<AuditMessage>;
  now: () => string;
};

export const productionBatchPorts = (): BatchPorts => ({
  createMany: (entries) => createMany(entries),
  audit: auditQueue,
  now: () => new Date().toISOString(),
});

/** Seconds a client should wait before filing an item again that was not stored under load. */
const UNSTORED_RETRY_AFTER_S = 1;

/**
 * One item's answer: the declaration it stored or found, or the error the single call would raise
 * (a DomainError, or a fault the HTTP layer answers 500 with the request id).
 */
export type BatchItemOutcome =
  { index: number; outcome: 'accepted' | 'replayed'; id: string } | { index: number; outcome: 'refused'; error: unknown };

export async function submitBatch(
  items: unknown[],
  by: Principal,
  ports: BatchPorts = productionBatchPorts(),
): Promise<BatchItemOutcome[]> {
  const outcomes: BatchItemOutcome[] = new Array(items.length);
  const entries: (BatchEntry & { index: number })[] = [];
  const now = ports.now();
  items.forEach((item, index) => {
    try {
      const bytes = Buffer.byteLength(JSON.stringify(item) ?? '');
      if (bytes > MAX_BODY_BYTES) {
        throw new DomainError(
          'too-large',
          `the declaration is ${bytes} bytes; the limit is ${MAX_BODY_BYTES} (1 MiB), as for POST /declarations`,
        );
      }
      const input = parseWith(declarationInput, item, 'body');
      assertMayFile(input, by);
      entries.push({ index, record: newDeclaration(input, now), guards: idempotencyGuards(input.clientRef, undefined) });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcomes[index] = { index, outcome: 'refused', error };
    }
  });

  const results = entries.length ? await ports.createMany(entries) : [];
  const accepted: AuditMessage[] = [];
  let busy = 0;
  results.forEach((result, i) => {
    const { index, record } = entries[i]!;
    if ('unstored' in result) {
      if (!isTransient(result.unstored)) {
        outcomes[index] = { index, outcome: 'refused', error: result.unstored };
        return;
      }
      busy++;
      outcomes[index] = {
        index,
        outcome: 'refused',
        error: overloaded(
          'the platform is busy: this item was not stored (other items of the batch were, see their results); ' +
            'file it again after Retry-After seconds with the same clientRef',
          UNSTORED_RETRY_AFTER_S,
        ),
      };
    } else if (result.created) {
      accepted.push({ declarationId: record.id, enterpriseId: record.enterpriseId });
      outcomes[index] = { index, outcome: 'accepted', id: record.id };
    } else if (result.existing.bodyHash === record.bodyHash) {
      outcomes[index] = { index, outcome: 'replayed', id: result.existing.declarationId };
    } else {
      outcomes[index] = { index, outcome: 'refused', error: reuseConflict(record, result.existing) };
    }
  });
  // One line per batch, not per item: a failed pack holds up to 25 items with the same cause.
  // (A fault is logged with its stack where the HTTP layer answers it 500.)
  if (busy) logger.warn('batch items not stored under load while others committed', { items: busy });
  // Durable now; a failed send is repaired by the redrive sweep.
  await queueCommittedWork(ports.audit, accepted, 'declaration');
  return outcomes;
}
