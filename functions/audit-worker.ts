/**
 * Audit worker: one message per declaration on the audit queue. Powertools batch processing reports
 * each failed record alone, so a poison message never blocks its batch; after maxReceiveCount it
 * rests in the dead-letter queue. Redelivered or duplicated messages are harmless: the transition
 * is conditional on ACCEPTED.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { queueEvents } from '../shared/adapters/outbox.js';
import { notifyQueue, type AuditMessage } from '../shared/adapters/queues.js';
import { auditBatchPorts, auditDeclaration, type AuditPorts } from '../shared/app/audit.js';
import { logger } from '../shared/http/logger.js';

const processor = new BatchProcessor(EventType.SQS);

export class PoisonMessage extends Error {}

/** A filer named by the message is only a hint (the declaration's own decides): anything odd is left out. */
const enterpriseHint = (value: unknown) =>
  typeof value === 'string' && value.length > 0 && value.length <= 64 ? { enterpriseId: value } : {};

export function messageOf(record: Pick<SQSRecord, 'body'>): AuditMessage {
  try {
    const { declarationId, enterpriseId, parkedRetry } = JSON.parse(record.body) as {
      declarationId?: unknown;
      enterpriseId?: unknown;
      parkedRetry?: unknown;
    };
    if (typeof declarationId === 'string' && /^dcl_[0-9A-Z]{26}$/.test(declarationId)) {
      return { declarationId, ...enterpriseHint(enterpriseId), ...(parkedRetry === true ? { parkedRetry } : {}) };
    }
  } catch {
    /* fall through */
  }
  // Failing (rather than dropping) sends it to the dead-letter queue, where an operator sees it.
  throw new PoisonMessage(`not an audit message: ${record.body.slice(0, 200)}`);
}

async function processRecord(record: SQSRecord, ports: AuditPorts): Promise<void> {
  const { declarationId, enterpriseId, parkedRetry } = messageOf(record);
  const result = await auditDeclaration(declarationId, ports, { parkedRetry, enterpriseId });
  if (result.outcome === 'decided') {
    logger.info('declaration audited', { declarationId, status: result.status });
    await queueEvents(notifyQueue, result.events);
  } else {
    logger.info(`audit skipped: ${result.outcome}`, { declarationId });
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  // The batch's records share one read of the active rule set and of each enterprise's credit,
  // and the reads they start at the same moment go out as one request.
  const ports = auditBatchPorts();
  return processPartialResponse(event, (record: SQSRecord) => processRecord(record, ports), processor, { context });
};
