/**
 * The `messages` collection holds both directions, so one listing API pages
 * through a chat's whole history. Inbound documents (written by the inbound
 * pipeline) and outbound documents (the outbox) extend this base with their
 * own fields, in their own repositories.
 */
import type { Doc } from '../port.js';

export const MESSAGES = 'messages';

export type MessageStatus =
  | 'received' // inbound
  | 'queued'
  | 'scheduled'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'played'
  | 'failed'
  | 'cancelled';

export interface MessageBase extends Doc {
  instance_id: string;
  direction: 'in' | 'out';
  status: MessageStatus;
  /** WhatsApp's id: inbound as received; outbound generated before the first attempt. */
  wa_message_id: string | null;
  /** Inbound: the chat it arrived in. Outbound: the destination. */
  chat_jid: string;
  /** The other party's phone number (digits), when known. */
  phone: string | null;
  /** Content type (outbound) or inbound kind. */
  kind: string;
  /** Text or caption, for listings and placeholders. */
  text: string | null;
  created_at: number;
  updated_at: number;
}
