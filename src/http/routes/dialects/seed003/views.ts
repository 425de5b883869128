/**
 * Seed 003's shapes of tucan's records: the instance as its MongoDB
 * document (`_id`, `settings.status`, `session_id`, `createdAt`, `__v`),
 * and a sent message as Baileys' WebMessageInfo (`key`, `status`,
 * `message.<type>Message`, `messageTimestamp`). Only what tucan really has
 * is shown: no invented URLs or media keys.
 */
import { z } from 'zod';
import type { Content, StoredMedia } from '../../../../domain/content.js';
import { BotSettingsSchema } from '../../../../domain/settings.js';
import { buildVCard, vcardDisplayName } from '../../../../domain/vcard.js';
import { maskKey } from '../../../../services/api-keys.js';
import type { StatusView } from '../../../../services/lifecycle.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';

export const InstanceRecordSchema = z
  .object({
    _id: z.string(),
    user_id: z.string(),
    session_id: z.string().meta({ description: 'the instance id again: what seed 003 calls the session' }),
    engine: z.enum(['baileys', 'sandbox']),
    settings: BotSettingsSchema.extend({
      bot_number: z.string().nullable(),
      status: z.string().meta({ example: 'CONNECTED' }),
      access_token: z.string().meta({ description: 'the full token only in the creation answer; masked (tuc_…) everywhere else' }),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    __v: z.literal(0),
  })
  .meta({ id: 'Seed003Instance' });

export function instanceRecord(instance: InstanceDoc, status: StatusView, token?: string): z.output<typeof InstanceRecordSchema> {
  // takeover is a /v1 addition: seed 003's answers keep the seed's fields
  const { takeover_minutes: _takeover, actions: { read_messages: _read, ...actions }, ...rest } = instance.settings;
  const settings = { ...rest, actions };
  return {
    _id: instance._id,
    user_id: instance.owner_id,
    session_id: instance._id,
    engine: instance.engine,
    settings: { ...settings, bot_number: status.phone, status: status.status.toUpperCase(), access_token: token ?? maskKey(instance.token_prefix) },
    createdAt: new Date(instance.created_at).toISOString(),
    updatedAt: new Date(instance.updated_at).toISOString(),
    __v: 0,
  };
}

/** Baileys' WebMessageInfo status names. */
const WA_STATUS: Record<string, string> = {
  queued: 'PENDING',
  scheduled: 'PENDING',
  sending: 'PENDING',
  sent: 'SERVER_ACK',
  delivered: 'DELIVERY_ACK',
  read: 'READ',
  played: 'PLAYED',
  failed: 'ERROR',
  cancelled: 'ERROR',
};

export const MessageInfoSchema = z
  .object({
    key: z.object({ remoteJid: z.string(), fromMe: z.literal(true), id: z.string() }),
    status: z.string().meta({ description: 'PENDING, SERVER_ACK, DELIVERY_ACK, READ, PLAYED or ERROR' }),
    message: z.record(z.string(), z.unknown()),
    messageTimestamp: z.string(),
    message_id: z.string().meta({ description: "tucan's id: GET /v1/instances/{id}/messages/{message_id} follows its status" }),
  })
  .meta({ id: 'Seed003MessageInfo' });

export function messageInfo(doc: OutboxMessageDoc): z.output<typeof MessageInfoSchema> {
  return {
    // outbound messages get their WhatsApp id when accepted, so it is never null here
    key: { remoteJid: doc.chat_jid, fromMe: true, id: doc.wa_message_id ?? '' },
    status: WA_STATUS[doc.status] ?? 'PENDING',
    message: protoMessage(doc.content),
    messageTimestamp: String(Math.floor((doc.sent_at ?? doc.created_at) / 1000)),
    message_id: doc._id,
  };
}

function mediaFields(media: StoredMedia): Record<string, unknown> {
  return { mimetype: media.mimetype, fileLength: String(media.size) };
}

/** The content as Baileys' proto message would carry it. */
export function protoMessage(content: Content<StoredMedia>): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      return { extendedTextMessage: { text: content.text } };
    case 'image':
    case 'video':
      return { [`${content.type}Message`]: { ...mediaFields(content.media), ...(content.caption ? { caption: content.caption } : {}) } };
    case 'audio':
      return { audioMessage: { ...mediaFields(content.media), ptt: content.ptt } };
    case 'document':
      return { documentMessage: { ...mediaFields(content.media), ...(content.filename ? { fileName: content.filename } : {}), ...(content.caption ? { caption: content.caption } : {}) } };
    case 'sticker':
      return { stickerMessage: mediaFields(content.media) };
    case 'location':
      return { locationMessage: { degreesLatitude: content.lat, degreesLongitude: content.lng, ...(content.name ? { name: content.name } : {}), ...(content.address ? { address: content.address } : {}) } };
    case 'contact':
      return { contactMessage: { displayName: vcardDisplayName(content.contact), vcard: buildVCard(content.contact) } };
    default:
      return {};
  }
}
