/**
 * Delivery receipts for tucan's own sends, as pure functions over Baileys
 * events, correlated by message id only: on a 1:1 receipt `remoteJid` is the
 * receipt's `from`, which may be an @lid even when we sent to a phone number
 * (fact sheet §5).
 *
 * - `messages.update` carries `status` for 1:1 chats: ERROR (with the server's
 *   code, e.g. '463' for the reach-out timelock), SERVER_ACK, DELIVERY_ACK,
 *   READ, PLAYED. PENDING says nothing new. Edits and deletes ride the same
 *   event without a status and are not receipts.
 * - `message-receipt.update` is emitted for groups only, one per participant.
 *   The first participant's receipt advances the message: the outbox tracks one
 *   status per message, not per member.
 */
import { WAMessageStatus, toNumber, type MessageUserReceiptUpdate, type WAMessageUpdate } from '@whiskeysockets/baileys';
import type { Receipt, ReceiptStatus } from '../engine.js';

const STATUS: Partial<Record<number, ReceiptStatus>> = {
  [WAMessageStatus.ERROR]: 'failed',
  [WAMessageStatus.SERVER_ACK]: 'sent',
  [WAMessageStatus.DELIVERY_ACK]: 'delivered',
  [WAMessageStatus.READ]: 'read',
  [WAMessageStatus.PLAYED]: 'played',
};

export function receiptsFromUpdates(updates: WAMessageUpdate[]): Receipt[] {
  const out: Receipt[] = [];
  for (const { key, update } of updates) {
    // only our own messages have outbox entries to advance
    if (!key?.id || !key.fromMe || update.status === null || update.status === undefined) continue;
    const status = STATUS[update.status];
    if (!status) continue;
    const receipt: Receipt = { wa_message_id: key.id, status };
    if (status === 'failed') {
      const code = (update.messageStubParameters as unknown[] | undefined)?.[0];
      if (code !== undefined && code !== null) receipt.error_code = String(code);
    }
    out.push(receipt);
  }
  return out;
}

export function receiptsFromUserReceipts(updates: MessageUserReceiptUpdate[]): Receipt[] {
  const out: Receipt[] = [];
  for (const { key, receipt } of updates) {
    if (!key?.id || !key.fromMe) continue;
    const status: ReceiptStatus | null = set(receipt.playedTimestamp) ? 'played' : set(receipt.readTimestamp) ? 'read' : set(receipt.receiptTimestamp) ? 'delivered' : null;
    if (status) out.push({ wa_message_id: key.id, status });
  }
  return out;
}

function set(value: unknown): boolean {
  return value !== null && value !== undefined && toNumber(value as Parameters<typeof toNumber>[0]) > 0;
}
