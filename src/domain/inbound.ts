/**
 * A normalised inbound WhatsApp message, as every engine emits it. The
 * pipeline, decide() and webhooks only ever see this shape.
 */

export type InboundKind =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'reaction'
  | 'poll'
  | 'poll_vote'
  | 'button_reply'
  | 'list_reply'
  | 'protocol'
  | 'unknown';

export interface InboundMedia {
  mimetype: string | null;
  filename: string | null;
  size: number | null;
  /** Seconds, for audio and video. */
  seconds: number | null;
  ptt?: boolean;
}

/** A decrypted poll vote: the options chosen now (empty when the vote was taken back). */
export interface PollVote {
  /** The poll's WhatsApp message id. */
  poll_id: string;
  poll_name: string | null;
  options: string[];
}

export interface InboundMessage {
  instance_id: string;
  /** WhatsApp message id (key.id). */
  wa_message_id: string;
  /** The chat to reply to, exactly as received (may be @lid). */
  chat_jid: string;
  /** The author: the peer in a DM, the participant in a group. */
  sender_jid: string;
  /** The author's phone number (digits), whenever it could be resolved, even for @lid senders. */
  sender_phone: string | null;
  /** The author's LID (`…@lid`), when WhatsApp shared it; engines without LIDs leave it out. */
  sender_lid?: string | null;
  push_name: string | null;
  is_group: boolean;
  /** status@broadcast and other broadcast lists. */
  is_broadcast: boolean;
  from_me: boolean;
  /** fromMe and sent through tucan's own API (never auto-answered). */
  sent_by_api: boolean;
  /** Arrived while the bot was offline (Baileys `append`). */
  offline: boolean;
  /** Epoch milliseconds. */
  timestamp: number;
  kind: InboundKind;
  /** Text, caption, or the selected option's title. */
  text: string | null;
  media?: InboundMedia;
  location?: { lat: number; lng: number; name: string | null; address: string | null };
  contacts?: { display_name: string | null; vcard: string }[];
  /** For button/list/template replies. */
  selected_id?: string;
  /** For reactions. */
  reaction?: { emoji: string; target_id: string };
  /** For poll votes tucan could decrypt (it knows the poll): the chosen option names. */
  poll_vote?: PollVote;
  /** Protocol messages: revoke, edit, ephemeral setting, … */
  protocol_type?: string;
  /** The message a protocol message (revoke, edit) or a poll vote acts on. */
  target_id?: string;
  quoted_id?: string;
  mentions?: string[];
}
