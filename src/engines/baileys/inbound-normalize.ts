/**
 * Who sent a message, where to reply, and when: a pure function from
 * Baileys' WAMessage to tucan's InboundMessage (content comes from
 * message-content.ts).
 *
 * Addressing rules (fact sheet §6–7):
 * - `chat_jid` is `key.remoteJid` exactly as received — replies go there, @lid
 *   included.
 * - The sender's phone comes, in order, from the PN form of the author
 *   (`remoteJid` in DMs, `participant` in groups), its `…Alt` field, or the
 *   LID mapping store (resolved by the engine beforehand, because that lookup
 *   is async). Every form is normalised, so `…:0@s.whatsapp.net` from
 *   `getPNForLID` becomes plain digits.
 * - `append` upserts are offline messages: marked, never dropped.
 * - Failed decrypts arrive as CIPHERTEXT stubs without content: skipped and
 *   counted by reason, as are other content-less stubs, and channel
 *   (@newsletter) posts unless `baileys.newsletters` asks for them.
 */
import { isJidBroadcast, isJidGroup, isJidNewsletter, isJidStatusBroadcast, toNumber, WAMessageStubType, type MessageUpsertType, type WAMessage } from '@whiskeysockets/baileys';
import type { InboundMessage } from '../../domain/inbound.js';
import { lidFromJid, normalizeJid, phoneFromJid } from '../../domain/recipient.js';
import { extractContent } from './message-content.js';

export interface Me {
  /** The linked account's JID (any form; normalised here). */
  jid: string | null;
  lid: string | null;
}

export interface NormalizeContext {
  instanceId: string;
  type: MessageUpsertType;
  me: Me;
  /** Phone digits for LID users the engine resolved through the mapping store, keyed by normalised LID JID. */
  lidPhones: ReadonlyMap<string, string>;
  /** LID JIDs for phone-number senders the engine knows the LID of, keyed by phone digits. */
  phoneLids?: ReadonlyMap<string, string>;
  /** Whether tucan's own API sent the message with this id. */
  sentByApi(waMessageId: string): boolean;
  /** Epoch ms, for the rare message without a timestamp. */
  now: number;
  /** Whether channel (@newsletter) messages are kept; skipped otherwise. */
  newsletters?: boolean;
}

export type SkipReason = 'decrypt_failed' | 'stub' | 'no_content' | 'invalid_key' | 'internal' | 'newsletter';

/**
 * Protocol messages that are device plumbing (history and app-state sync,
 * key shares, peer-data requests), not something a person did: they are
 * skipped instead of flooding the pipeline and webhooks on every link.
 * Revokes, edits and disappearing-mode changes pass through as `protocol`.
 */
const INTERNAL_PROTOCOL = new Set([
  'EPHEMERAL_SYNC_RESPONSE',
  'HISTORY_SYNC_NOTIFICATION',
  'APP_STATE_SYNC_KEY_SHARE',
  'APP_STATE_SYNC_KEY_REQUEST',
  'MSG_FANOUT_BACKFILL_REQUEST',
  'INITIAL_SECURITY_NOTIFICATION_SETTING_SYNC',
  'APP_STATE_FATAL_EXCEPTION_NOTIFICATION',
  'PEER_DATA_OPERATION_REQUEST_MESSAGE',
  'PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE',
  'LID_MIGRATION_MAPPING_SYNC',
  'BOT_FEEDBACK_MESSAGE',
  'MEDIA_NOTIFY_MESSAGE',
  'CLOUD_API_THREAD_CONTROL_NOTIFICATION',
  'AI_PSI_METADATA',
  'AI_QUERY_FANOUT',
]);

export type Normalized = { ok: true; message: InboundMessage } | { ok: false; reason: SkipReason };

export function normalizeInbound(msg: WAMessage, ctx: NormalizeContext): Normalized {
  const key = msg.key;
  if (!key?.remoteJid || !key.id) return { ok: false, reason: 'invalid_key' };
  // a channel's posts are not a conversation with the bot: no reply, no message webhooks, unless asked for
  if (isJidNewsletter(key.remoteJid) && !ctx.newsletters) return { ok: false, reason: 'newsletter' };
  if (!msg.message) {
    if (msg.messageStubType === WAMessageStubType.CIPHERTEXT) return { ok: false, reason: 'decrypt_failed' };
    return { ok: false, reason: msg.messageStubType ? 'stub' : 'no_content' };
  }
  const content = extractContent(msg.message);
  if (!content) return { ok: false, reason: 'no_content' };
  if (content.kind === 'protocol' && INTERNAL_PROTOCOL.has(content.protocol_type ?? '')) return { ok: false, reason: 'internal' };

  const chat = key.remoteJid;
  const fromMe = Boolean(key.fromMe);
  const author = authorOf(msg, ctx.me);
  const message: InboundMessage = {
    instance_id: ctx.instanceId,
    wa_message_id: key.id,
    chat_jid: chat,
    sender_jid: author.jid,
    sender_phone: author.phone ?? (author.lid ? (ctx.lidPhones.get(author.lid) ?? null) : null),
    sender_lid: author.lid ?? (author.phone ? (ctx.phoneLids?.get(author.phone) ?? null) : null),
    push_name: msg.pushName ?? null,
    is_group: isJidGroup(chat) === true,
    is_broadcast: isJidBroadcast(chat) === true,
    from_me: fromMe,
    sent_by_api: fromMe && ctx.sentByApi(key.id),
    offline: ctx.type === 'append',
    timestamp: timestampMs(msg.messageTimestamp) || ctx.now,
    ...content,
  };
  return { ok: true, message };
}

interface Author {
  jid: string;
  phone: string | null;
  /** The normalised LID JID, when the key names one. */
  lid: string | null;
}

/** The author of a message and whatever of its phone number the key itself carries. */
export function authorOf(msg: WAMessage, me: Me): Author {
  const key = msg.key;
  const chat = key.remoteJid ?? '';
  if (key.fromMe) {
    const jid = me.jid ? normalizeJid(me.jid) : normalizeJid(key.participant || chat);
    return { jid, phone: phoneFromJid(me.jid), lid: lidFromJid(me.lid) };
  }
  const inGroup = isJidGroup(chat) || isJidBroadcast(chat);
  // in a group (or a broadcast list / status) the author is the participant; in a DM, the chat itself
  const primary = (inGroup ? key.participant : chat) || chat;
  // a status post names its author's phone in remoteJidAlt when participantAlt is absent
  const alt = inGroup ? (key.participantAlt ?? (isJidStatusBroadcast(chat) ? key.remoteJidAlt : undefined)) : key.remoteJidAlt;
  const jid = normalizeJid(primary);
  const phone = phoneFromJid(primary) ?? phoneFromJid(alt);
  return { jid, phone, lid: lidFromJid(primary) ?? lidFromJid(alt) };
}

/** The LID users whose phone numbers the engine must look up before normalising this batch. */
export function lidsToResolve(messages: WAMessage[], me: Me): string[] {
  const lids = new Set<string>();
  for (const m of messages) {
    if (!m.key?.remoteJid || m.key.fromMe) continue;
    const author = authorOf(m, me);
    if (author.lid && !author.phone) lids.add(author.lid);
  }
  return [...lids];
}

/** The phone-number senders whose LIDs the engine may know, looked up before normalising this batch. */
export function phonesToResolve(messages: WAMessage[], me: Me): string[] {
  const phones = new Set<string>();
  for (const m of messages) {
    if (!m.key?.remoteJid || m.key.fromMe) continue;
    const author = authorOf(m, me);
    if (author.phone && !author.lid) phones.add(author.phone);
  }
  return [...phones];
}

/** Seconds (a number, or a protobuf Long from history) to epoch milliseconds. */
export function timestampMs(value: WAMessage['messageTimestamp']): number {
  if (value === null || value === undefined) return 0;
  return toNumber(value as Parameters<typeof toNumber>[0]) * 1000;
}
