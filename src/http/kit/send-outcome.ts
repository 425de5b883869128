/**
 * What a stored outbound message means to the request that sent it, in
 * every API: WhatsApp has it (`sent`: sent or further), it waits
 * (`pending`: queued, scheduled, or still with the engine when the wait ran
 * out), or it was refused — failed (502: stored, visibly failed, with the
 * reason) or cancelled before it left (409).
 */
import { ServiceError } from '../../services/errors.js';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';

/** WhatsApp's reach-out timelock: the recipient is the problem, so the field is named. */
const TIMELOCK = '463';

export class SendRefusedError extends ServiceError {
  constructor(readonly doc: OutboxMessageDoc) {
    const failed = doc.status === 'failed';
    const errors = failed && doc.error_code === TIMELOCK ? [{ field: 'body.to', message: doc.error ?? 'reach-out timelock' }] : [];
    super(
      failed ? 502 : 409,
      failed ? 'WhatsApp did not take the message' : 'Cancelled',
      `message ${doc._id} ${failed ? `failed: ${doc.error ?? 'unknown error'}` : 'was cancelled before it was sent'}`,
      errors,
      {},
      failed ? 'send-failed' : 'conflict',
    );
  }
}

/** `sent` or `pending`; throws SendRefusedError when WhatsApp refused the message or it was cancelled. */
export function sendOutcome(doc: OutboxMessageDoc): 'sent' | 'pending' {
  if (doc.status === 'failed' || doc.status === 'cancelled') throw new SendRefusedError(doc);
  return doc.status === 'sent' || doc.status === 'delivered' || doc.status === 'read' || doc.status === 'played' ? 'sent' : 'pending';
}
