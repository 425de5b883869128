/**
 * How messages are shown. Outbound messages carry their content and queue
 * details; inbound ones (written by the inbound pipeline) are shown with
 * the fields every message has.
 */
import { z } from 'zod';
import { contentToJson, type Content } from '../../domain/content.js';
import { lidFromJid } from '../../domain/recipient.js';
import type { InboundMessageDoc } from '../../store/repositories/inbound-messages.js';
import type { MessageBase } from '../../store/repositories/message-base.js';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';

const isoOrNull = z.string().nullable();

export const MessageViewSchema = z
  .object({
    id: z.string(),
    wa_message_id: z.string().nullable().meta({ description: 'WhatsApp id; for outbound messages it is fixed before the first attempt' }),
    direction: z.enum(['in', 'out']),
    to: z.string().nullable().meta({ description: 'outbound: phone digits, or the JID for groups and @lid' }),
    chat_jid: z.string(),
    phone: z.string().nullable(),
    lid: z.string().nullable().meta({ description: "the person's LID (…@lid) when known: the sender of an inbound message, the recipient of an outbound one" }),
    status: z.string().meta({ description: 'outbound: queued, scheduled, sending, sent, delivered, read, played, failed, cancelled; inbound: received' }),
    kind: z.string(),
    text: z.string().nullable(),
    timestamp: z.string().meta({ description: 'when it was sent (outbound, once sent) or stored' }),
    content: z.record(z.string(), z.unknown()).optional().meta({ description: 'outbound: the content as accepted (media as stored references)' }),
    source: z.enum(['api', 'bulk', 'recurring', 'bot']).optional(),
    job_id: z.string().optional(),
    recurring_id: z.string().optional(),
    schedule_at: isoOrNull.optional(),
    sent_at: isoOrNull.optional(),
    delivered_at: isoOrNull.optional(),
    read_at: isoOrNull.optional(),
    attempts: z.number().int().optional(),
    error: z.string().nullable().optional(),
    error_code: z.string().nullable().optional(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Message' });

function iso(ms: unknown): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}

function personLid(doc: MessageBase | OutboxMessageDoc): string | null {
  if (doc.direction === 'in') return (doc as InboundMessageDoc).message?.sender_lid ?? null;
  return lidFromJid(doc.chat_jid);
}

export function messageView(doc: MessageBase | OutboxMessageDoc) {
  const base = {
    id: doc._id,
    wa_message_id: doc.wa_message_id,
    direction: doc.direction,
    to: null as string | null,
    chat_jid: doc.chat_jid,
    phone: doc.phone,
    lid: personLid(doc),
    status: doc.status,
    kind: doc.kind,
    text: doc.text,
    timestamp: iso(doc.created_at)!,
    created_at: iso(doc.created_at)!,
    updated_at: iso(doc.updated_at)!,
  };
  if (doc.direction !== 'out' || !('content' in doc)) return base;
  const out = doc as OutboxMessageDoc;
  return {
    ...base,
    to: out.to,
    timestamp: iso(out.sent_at ?? out.created_at)!,
    content: contentToJson(out.content as Content<unknown>),
    source: out.source,
    ...(out.job_id ? { job_id: out.job_id } : {}),
    ...(out.recurring_id ? { recurring_id: out.recurring_id } : {}),
    schedule_at: iso(out.schedule_at),
    sent_at: iso(out.sent_at),
    delivered_at: iso(out.delivered_at),
    read_at: iso(out.read_at),
    attempts: out.attempts,
    error: out.error ?? null,
    error_code: out.error_code ?? null,
  };
}

export const PaginationSchema = z.object({ page: z.number().int(), limit: z.number().int(), total: z.number().int(), pages: z.number().int() });
