/**
 * Webhook events for an inbound message.
 *
 * - `message.received`: a message someone else sent in a chat: text, media,
 *   location, contacts, reactions, replies to buttons and lists, poll votes.
 *   Status broadcasts and protocol messages (deletes, edits, ephemeral
 *   settings) are not conversation and only go to `message.any`.
 * - `message.any`: every message the engine reports, including fromMe ones
 *   typed on the owner's other devices — except echoes of tucan's own API
 *   sends, which the outbox reports as outbound messages.
 *
 * Both are gated by `actions.send_webhook`.
 */
import type { DomainEvent, MessageEventData } from './events.js';
import type { InboundMessage } from './inbound.js';

export function messageEventData(message: InboundMessage, messageId: string): MessageEventData {
  const details: Record<string, unknown> = {};
  if (message.media) details.media = message.media;
  if (message.location) details.location = message.location;
  if (message.contacts) details.contacts = message.contacts;
  if (message.selected_id !== undefined) details.selected_id = message.selected_id;
  if (message.reaction) details.reaction = message.reaction;
  if (message.poll_vote) details.poll_vote = message.poll_vote;
  if (message.protocol_type !== undefined) details.protocol_type = message.protocol_type;
  if (message.quoted_id !== undefined) details.quoted_id = message.quoted_id;
  if (message.mentions?.length) details.mentions = message.mentions;
  return {
    message_id: messageId,
    wa_message_id: message.wa_message_id,
    direction: 'in',
    chat_jid: message.chat_jid,
    from_jid: message.sender_jid,
    from_phone: message.sender_phone,
    from_lid: message.sender_lid ?? null,
    to_jid: null,
    push_name: message.push_name,
    is_group: message.is_group,
    from_me: message.from_me,
    sent_by_api: message.sent_by_api,
    offline: message.offline,
    kind: message.kind,
    text: message.text,
    timestamp: new Date(message.timestamp).toISOString(),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

/** Which events the message produces (before the send_webhook gate); with a reason for the trace. */
export function inboundEventTypes(message: InboundMessage): { types: ('message.received' | 'message.any')[]; note: string } {
  if (message.sent_by_api) return { types: [], note: "an echo of tucan's own API send (reported by the outbox as outbound)" };
  if (message.from_me) return { types: ['message.any'], note: "fromMe (the owner's other device): message.any only" };
  if (message.is_broadcast) return { types: ['message.any'], note: 'status broadcast: message.any only' };
  if (message.kind === 'protocol') return { types: ['message.any'], note: 'protocol message: message.any only' };
  return { types: ['message.received', 'message.any'], note: 'message.received and message.any' };
}

export function inboundEvents(message: InboundMessage, messageId: string): DomainEvent[] {
  const { types } = inboundEventTypes(message);
  if (types.length === 0) return [];
  const data = messageEventData(message, messageId);
  return types.map((type) => ({ type, data }) as DomainEvent);
}
