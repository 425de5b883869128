/**
 * Sends the engine has accepted but whose status is not yet written. The
 * dispatcher writes a batch's outcomes together once the batch is done;
 * receipts that arrive in between (the sandbox acknowledges delivery at
 * once, and a fast phone can too) are merged into that single write
 * instead of costing a second one. The WhatsApp id was stored at
 * acceptance, so a crash before the write only means a re-send under the
 * same id, which WhatsApp shows once.
 */
import type { ProgressStatus } from '../../domain/outbox.js';
import type { Receipt } from '../../engines/engine.js';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';

const RANK: Record<ProgressStatus, number> = { sent: 0, delivered: 1, read: 2, played: 3 };

export interface Ack {
  doc: OutboxMessageDoc;
  /** The furthest status receipts reported while the write was pending. */
  status: ProgressStatus;
  /** WhatsApp reported a failure right after accepting (error code, or '' when none was given). */
  failedCode: string | null;
}

export class AckBuffer {
  private readonly pending = new Map<string, Ack>();

  add(doc: OutboxMessageDoc): Ack {
    const ack: Ack = { doc, status: 'sent', failedCode: null };
    this.pending.set(key(doc.instance_id, doc.wa_message_id!), ack);
    return ack;
  }

  /** Stops merging receipts into this ack: its write is being issued. */
  remove(ack: Ack): void {
    this.pending.delete(key(ack.doc.instance_id, ack.doc.wa_message_id!));
  }

  /** Merges the receipt into a pending ack; false when there is none (the receipt is written on its own). */
  offer(instanceId: string, receipt: Receipt): boolean {
    const ack = this.pending.get(key(instanceId, receipt.wa_message_id));
    if (!ack) return false;
    if (receipt.status === 'failed') {
      ack.failedCode = receipt.error_code ?? '';
    } else if (RANK[receipt.status] > RANK[ack.status]) {
      ack.status = receipt.status;
    }
    return true;
  }
}

function key(instanceId: string, waMessageId: string): string {
  return `${instanceId}\u0000${waMessageId}`;
}
