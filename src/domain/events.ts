/**
 * The webhook event catalog. Each event is declared once here: the payload
 * types producers use, and the schemas the OpenAPI document publishes.
 * Envelope: {id, type, instance_id, timestamp, data}.
 */
import { z } from 'zod';

export const EVENT_TYPES = ['message.received', 'message.any', 'message.status', 'bot.replied', 'connection.update', 'group.participants', 'job.progress', 'flow.completed', 'flow.abandoned', 'chat.paused', 'chat.resumed'] as const;
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
const Lid = z.string().nullable().meta({ description: "The person's LID (…@lid), WhatsApp's other id for them, when known" });

export const MessageEventData = z
  .object({
    message_id: z.string().meta({ description: "tucan's message id" }),
    wa_message_id: z.string().nullable(),
    direction: z.enum(['in', 'out']),
    chat_jid: Jid,
    from_jid: Jid.nullable(),
    from_phone: Phone,
    from_lid: Lid,
    to_jid: Jid.nullable(),
    push_name: z.string().nullable(),
    is_group: z.boolean(),
    from_me: z.boolean(),
    sent_by_api: z.boolean(),
    offline: z.boolean(),
    kind: z.string().meta({ description: 'text, image, video, audio, document, sticker, location, contact, reaction, poll, poll_vote, button_reply, list_reply, protocol, unknown' }),
    text: z.string().nullable(),
    timestamp: z.string(),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: 'media, location, contacts, selected_id, reaction, poll_vote ({poll_id, poll_name, options}), quoted_id as applicable' }),
  })
  .meta({ id: 'MessageEventData' });
export type MessageEventData = z.infer<typeof MessageEventData>;

export const MessageStatusData = z
  .object({
    message_id: z.string(),
    wa_message_id: z.string().nullable(),
    to_jid: Jid.nullable(),
    phone: Phone,
    lid: Lid.meta({ description: 'the recipient\'s LID when the message was sent to a …@lid address' }),
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
    lid: Lid,
    rule: z.object({ id: z.string(), name: z.string() }).nullable().meta({ description: 'null when the default message or a flow step was sent (a rule that started a flow is named)' }),
    flow: z
      .object({ id: z.string(), name: z.string(), step: z.string().nullable() })
      .nullable()
      .meta({ description: 'the flow that answered and the step the chat is at now (null step: the flow ended)' }),
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
    participants: z.array(z.object({ jid: Jid, phone: Phone, lid: Lid })),
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

const FlowValue = z.union([z.string(), z.number(), z.boolean()]);

const flowEventFields = {
  flow_id: z.string(),
  flow_name: z.string(),
  flow_version: z.number().int(),
  chat_jid: Jid,
  phone: Phone,
  lid: Lid,
  participant_jid: Jid.nullable().meta({ description: 'in a group, the member who walked the flow' }),
  variables: z.record(z.string(), FlowValue).meta({ description: 'every captured answer and option value, by name', example: { item: 'pizza', qty: 2, address: 'Calle 1 #23' } }),
  step: z.string().meta({ description: 'the last step the chat was at' }),
  started_at: z.string(),
  ended_at: z.string(),
};

export const FlowCompletedData = z.object(flowEventFields).meta({ id: 'FlowCompletedData' });
export type FlowCompletedData = z.infer<typeof FlowCompletedData>;

export const FLOW_ABANDON_REASONS = ['exit', 'timeout', 'max_attempts', 'takeover', 'flow_changed', 'flow_removed'] as const;
export type FlowAbandonReason = (typeof FLOW_ABANDON_REASONS)[number];

export const FlowAbandonedData = z
  .object({
    ...flowEventFields,
    reason: z.enum(FLOW_ABANDON_REASONS).meta({
      description:
        'exit: an exit keyword; timeout: no answer within timeout_minutes; max_attempts: too many answers that did not fit; takeover: the owner took the chat over (phone message or pause route); flow_changed: the flow was changed while the chat was inside it; flow_removed: the flow was deleted or disabled',
    }),
  })
  .meta({ id: 'FlowAbandonedData' });
export type FlowAbandonedData = z.infer<typeof FlowAbandonedData>;

export const ChatPausedData = z
  .object({
    chat_jid: Jid,
    phone: Phone,
    lid: Lid,
    until: z.string().meta({ description: 'when the bot answers this chat again' }),
    by: z.enum(['owner_message', 'api']).meta({ description: 'owner_message: the owner wrote from the phone (takeover_minutes); api: the pause route' }),
  })
  .meta({ id: 'ChatPausedData' });
export type ChatPausedData = z.infer<typeof ChatPausedData>;

export const ChatResumedData = z
  .object({
    chat_jid: Jid,
    phone: Phone,
    lid: Lid,
    reason: z.enum(['expired', 'api']),
  })
  .meta({ id: 'ChatResumedData' });
export type ChatResumedData = z.infer<typeof ChatResumedData>;

export const EVENT_DATA_SCHEMAS = {
  'message.received': MessageEventData,
  'message.any': MessageEventData,
  'message.status': MessageStatusData,
  'bot.replied': BotRepliedData,
  'connection.update': ConnectionUpdateData,
  'group.participants': GroupParticipantsData,
  'job.progress': JobProgressData,
  'flow.completed': FlowCompletedData,
  'flow.abandoned': FlowAbandonedData,
  'chat.paused': ChatPausedData,
  'chat.resumed': ChatResumedData,
} satisfies Record<EventType, z.ZodType>;

export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'message.received': 'An inbound message from someone else (seed aliases: onMessage, message).',
  'message.any': "Every message: inbound, our own sends, and the owner's other devices (seed alias: onAnyMessage).",
  'message.status': 'An outbound message changed status: sent, delivered, read, played, failed or cancelled.',
  'bot.replied': 'The bot auto-replied, with the matched rule (or the default message) and the trace summary.',
  'connection.update': 'qr, connecting, connected (ready), disconnected with a reason, logged_out, failed (seed alias: ready).',
  'group.participants': 'Participants joined, left, were promoted or demoted.',
  'job.progress': 'Progress of a bulk send job.',
  'flow.completed': 'A chat reached the end of a conversation flow, with every captured variable.',
  'flow.abandoned': 'A chat left a flow before its end: exit keyword, timeout, too many invalid answers, owner takeover, or the flow changed.',
  'chat.paused': 'The bot went silent in a chat: the owner wrote from the phone (takeover) or the pause route was called.',
  'chat.resumed': 'The bot answers a paused chat again: the pause expired or the resume route was called.',
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
