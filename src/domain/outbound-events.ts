/**
 * Webhook events for outbound messages, beside inbound-events.ts:
 *
 * - `message.status`: an outbound message changed status (sent, delivered,
 *   read, played, failed, cancelled);
 * - `message.any` for our own sends: only the outbox knows a send happened
 *   on every engine (the sandbox never echoes sends back; Baileys does, and
 *   the pipeline drops those echoes), so it reports them as outbound;
 * - `bot.replied`: the bot answered an inbound message, with the outbox ids
 *   of its replies.
 */
import { contentText, type Content } from './content.js';
import type { BotRepliedData, DomainEvent, MessageStatusData } from './events.js';
import { isGroupJid, lidFromJid } from './recipient.js';

/** What the events say about an outbound message (the outbox document has these fields). */
export interface OutboundMessage {
  _id: string;
  wa_message_id: string | null;
  chat_jid: string;
  phone: string | null;
  kind: string;
  content: Content<unknown>;
  source: string;
  job_id?: string;
  quoted?: { wa_message_id: string };
  error?: string;
  error_code?: string;
}

export function messageStatusEvent(m: OutboundMessage, status: MessageStatusData['status']): DomainEvent {
  return {
    type: 'message.status',
    data: {
      message_id: m._id,
      wa_message_id: m.wa_message_id,
      to_jid: m.chat_jid,
      phone: m.phone,
      lid: lidFromJid(m.chat_jid),
      status,
      error: status === 'failed' || status === 'cancelled' ? (m.error ?? null) : null,
      error_code: status === 'failed' ? (m.error_code ?? null) : null,
    },
  };
}

export function outboundAnyEvent(m: OutboundMessage, sentAt: number): DomainEvent {
  return {
    type: 'message.any',
    data: {
      message_id: m._id,
      wa_message_id: m.wa_message_id,
      direction: 'out',
      chat_jid: m.chat_jid,
      from_jid: null,
      from_phone: null,
      from_lid: null,
      to_jid: m.chat_jid,
      push_name: null,
      is_group: isGroupJid(m.chat_jid),
      from_me: true,
      sent_by_api: true,
      offline: false,
      kind: m.kind,
      text: contentText(m.content),
      timestamp: new Date(sentAt).toISOString(),
      details: { source: m.source, ...(m.job_id ? { job_id: m.job_id } : {}), ...(m.quoted ? { quoted_id: m.quoted.wa_message_id } : {}) },
    },
  };
}

/** `decision.bot_replied` completed with the replies' outbox ids once they are stored. */
export function botRepliedEvent(replied: Omit<BotRepliedData, 'reply_message_ids'>, replyIds: string[]): DomainEvent {
  return { type: 'bot.replied', data: { ...replied, reply_message_ids: replyIds } };
}
