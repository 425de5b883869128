/**
 * The webhook event catalog. Each event is declared once here: the payload
 * types producers use, and the schemas the OpenAPI document publishes.
 * Envelope: {id, type, instance_id, timestamp, data}.
 */
import { z } from 'zod';

export const EVENT_TYPES = ['message.received', 'message.any', 'message.status', 'bot.replied', 'connection.update', 'group.participants', 'job.progress'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The seeds' names, accepted on subscription: seed 003 and seed 001. */
export const EVENT_ALIASES: Record<string, EventType> = {
  onMessage: 'message.received',
  onAnyMessage: 'message.any',
  message: 'message.received',
  ready: 'connection.update',
};

export function resolveEventName(name: string): EventType | null {
  if ((EVENT_TYPES as readonly string[]).includes(name)) return name as EventType;
  return EVENT_ALIASES[name] ?? null;
}

const Jid = z.string().meta({ description: 'WhatsApp JID' });
const Phone = z.string().nullable().meta({ description: 'Digits with country code, resolved even for @lid senders whenever known' });

export const MessageEventData = z
  .object({
    message_id: z.string().meta({ description: "tucan's message id" }),
    wa_message_id: z.string().nullable(),
    direction: z.enum(['in', 'out']),
    chat_jid: Jid,
    from_jid: Jid.nullable(),
    from_phone: Phone,
    to_jid: Jid.nullable(),
    push_name: z.string().nullable(),
    is_group: z.boolean(),
    from_me: z.boolean(),
    sent_by_api: z.boolean(),
    offline: z.boolean(),
    kind: z.string().meta({ description: 'text, image, video, audio, document, sticker, location, contact, reaction, poll, button_reply, list_reply, protocol, unknown' }),
    text: z.string().nullable(),
    timestamp: z.string(),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: 'media, location, contacts, selected_id, reaction, quoted_id as applicable' }),
  })
  .meta({ id: 'MessageEventData' });
export type MessageEventData = z.infer<typeof MessageEventData>;

export const MessageStatusData = z
  .object({
    message_id: z.string(),
    wa_message_id: z.string().nullable(),
    to_jid: Jid.nullable(),
    phone: Phone,
    status: z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'cancelled']),
    error: z.string().nullable(),
    error_code: z.string().nullable(),
  })
  .meta({ id: 'MessageStatusData' });
export type MessageStatusData = z.infer<typeof MessageStatusData>;

export const BotRepliedData = z
  .object({
    inbound_message_id: z.string(),
    reply_message_ids: z.array(z.string()),
    to_jid: Jid,
    phone: Phone,
    rule: z.object({ id: z.string(), name: z.string() }).nullable().meta({ description: 'null when the default message was sent' }),
    used_default: z.boolean(),
    trace_summary: z.string(),
  })
  .meta({ id: 'BotRepliedData' });
export type BotRepliedData = z.infer<typeof BotRepliedData>;

export const ConnectionUpdateData = z
  .object({
    status: z.enum(['disconnected', 'connecting', 'qr', 'connected', 'reconnecting', 'logged_out', 'failed']),
    ready: z.boolean(),
    phone: Phone,
    reason: z.string().nullable(),
    qr: z.string().nullable().meta({ description: 'the raw QR payload while status is qr' }),
  })
  .meta({ id: 'ConnectionUpdateData' });
export type ConnectionUpdateData = z.infer<typeof ConnectionUpdateData>;

export const GroupParticipantsData = z
  .object({
    group_jid: Jid,
    action: z.enum(['add', 'remove', 'promote', 'demote', 'modify']),
    participants: z.array(z.object({ jid: Jid, phone: Phone })),
    author_jid: Jid.nullable(),
  })
  .meta({ id: 'GroupParticipantsData' });
export type GroupParticipantsData = z.infer<typeof GroupParticipantsData>;

export const JobProgressData = z
  .object({
    job_id: z.string(),
    status: z.enum(['running', 'completed', 'cancelled']),
    total: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
  })
  .meta({ id: 'JobProgressData' });
export type JobProgressData = z.infer<typeof JobProgressData>;

export const EVENT_DATA_SCHEMAS = {
  'message.received': MessageEventData,
  'message.any': MessageEventData,
  'message.status': MessageStatusData,
  'bot.replied': BotRepliedData,
  'connection.update': ConnectionUpdateData,
  'group.participants': GroupParticipantsData,
  'job.progress': JobProgressData,
} satisfies Record<EventType, z.ZodType>;

export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'message.received': 'An inbound message from someone else (seed aliases: onMessage, message).',
  'message.any': "Every message: inbound, our own sends, and the owner's other devices (seed alias: onAnyMessage).",
  'message.status': 'An outbound message changed status: sent, delivered, read, played, failed or cancelled.',
  'bot.replied': 'The bot auto-replied, with the matched rule (or the default message) and the trace summary.',
  'connection.update': 'qr, connecting, connected (ready), disconnected with a reason, logged_out, failed (seed alias: ready).',
  'group.participants': 'Participants joined, left, were promoted or demoted.',
  'job.progress': 'Progress of a bulk send job.',
};

export type EventData = { [K in EventType]: z.infer<(typeof EVENT_DATA_SCHEMAS)[K]> };

/** An event as producers hand it over; the webhook service adds id and envelope. */
export type DomainEvent = { [K in EventType]: { type: K; data: EventData[K] } }[EventType];

export function envelopeSchema(type: EventType) {
  return z.object({
    id: z.string().meta({ description: 'unique per event; equals the webhook-id header (dedup key)' }),
    type: z.literal(type),
    instance_id: z.string(),
    timestamp: z.string(),
    data: EVENT_DATA_SCHEMAS[type],
  });
}
