/**
 * tucan's content model → Baileys' sendMessage arguments, as a pure function.
 *
 * - Media is always a Buffer. Baileys would also accept `{url}` and read
 *   anything that is not http(s) as a local file path (fact sheet §8), so no
 *   URL or path ever reaches it: media intake resolved them long before.
 * - Link previews are disabled (`linkPreview: null`): generating one makes
 *   Baileys fetch the URL found in the text, which would let any sender make
 *   the server fetch arbitrary URLs.
 * - The WhatsApp id is the caller's (`messageId`), generated and persisted
 *   before the first attempt, so a retry after a crash reuses it.
 */
import { isJidGroup, type AnyMessageContent, type MiscMessageGenerationOptions, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import type { MediaBytes } from '../../domain/content.js';
import { normalizeJid } from '../../domain/recipient.js';
import { buildVCard, vcardDisplayName } from '../../domain/vcard.js';
import type { SendRequest } from '../engine.js';

export interface OutboundMessage {
  jid: string;
  content: AnyMessageContent;
  options: MiscMessageGenerationOptions;
}

export function toBaileysMessage(request: SendRequest): OutboundMessage {
  const options: MiscMessageGenerationOptions = { messageId: request.wa_message_id };
  const quoted = quotedMessage(request);
  if (quoted && request.content.type !== 'reaction') options.quoted = quoted;
  return { jid: request.jid, content: toContent(request), options };
}

function toContent(request: SendRequest): AnyMessageContent {
  const c = request.content;
  const mentions = c.mentions?.length ? { mentions: c.mentions.map(mentionJid) } : {};
  switch (c.type) {
    case 'text':
      return { text: c.text, linkPreview: null, ...mentions };
    case 'image':
      return { image: bytes(c.media), mimetype: c.media.mimetype, ...(c.caption ? { caption: c.caption } : {}), ...mentions };
    case 'video':
      return { video: bytes(c.media), mimetype: c.media.mimetype, ...(c.caption ? { caption: c.caption } : {}), ...mentions };
    case 'audio':
      return audio(c.media, c.ptt);
    case 'document':
      return {
        document: bytes(c.media),
        mimetype: c.media.mimetype,
        fileName: c.filename ?? c.media.filename ?? 'file',
        ...(c.caption ? { caption: c.caption } : {}),
      };
    case 'sticker':
      return { sticker: bytes(c.media), mimetype: c.media.mimetype };
    case 'location':
      return {
        location: {
          degreesLatitude: c.lat,
          degreesLongitude: c.lng,
          ...(c.name ? { name: c.name } : {}),
          ...(c.address ? { address: c.address } : {}),
        },
      };
    case 'contact': {
      const displayName = vcardDisplayName(c.contact);
      return { contacts: { displayName, contacts: [{ displayName, vcard: buildVCard(c.contact) }] } };
    }
    case 'reaction':
      return { react: { text: c.emoji, key: reactionTarget(request, c.message_id) } };
    case 'poll':
      return { poll: { name: c.name, values: c.options, selectableCount: c.selectable_count } };
  }
}

/**
 * Audio, with the length and waveform tucan measured when it converted a
 * voice note. Baileys reads `waveform` from the content at upload although
 * its type does not declare it; without one it would need the optional
 * audio-decode package and send the note with a flat line.
 */
function audio(media: MediaBytes, ptt: boolean): AnyMessageContent {
  return {
    audio: bytes(media),
    mimetype: media.mimetype,
    ptt,
    ...(media.seconds ? { seconds: media.seconds } : {}),
    ...(media.waveform ? { waveform: media.waveform } : {}),
  } as AnyMessageContent;
}

/** A JID for a mention given as digits or as any JID form. */
export function mentionJid(value: string): string {
  return value.includes('@') ? normalizeJid(value) : `${value.replace(/\D/g, '')}@s.whatsapp.net`;
}

function bytes(media: MediaBytes): Buffer {
  // Baileys treats anything that is not a Buffer (or a stream) as a URL or a file path
  return Buffer.isBuffer(media.data) ? media.data : Buffer.from(media.data);
}

/**
 * The message being replied to, rebuilt from what the outbox stored: enough
 * for Baileys to write the quote (key, author, a text preview).
 */
function quotedMessage(request: SendRequest): WAMessage | undefined {
  const q = request.quoted;
  if (!q) return undefined;
  return {
    key: quotedKey(q),
    message: { conversation: q.text ?? '' },
  };
}

function quotedKey(q: NonNullable<SendRequest['quoted']>): WAMessageKey {
  const key: WAMessageKey = { remoteJid: q.chat_jid, fromMe: q.from_me, id: q.wa_message_id };
  // in groups the quote names its author; in DMs the chat is the author
  if (isJidGroup(q.chat_jid) && !q.from_me && q.sender_jid) key.participant = q.sender_jid;
  return key;
}

/** The key a reaction points at: the quoted message's when it is the target, else a message in this chat from the peer. */
function reactionTarget(request: SendRequest, messageId: string): WAMessageKey {
  if (request.quoted?.wa_message_id === messageId) return quotedKey(request.quoted);
  return { remoteJid: request.jid, fromMe: false, id: messageId };
}
