/**
 * `POST /whatsapp/message` — a text, stored attachments (media ids), a
 * location and a saved contact to one chat, each sent as its own WhatsApp
 * message in that order (outbox.sendSeveral: all are checked before any is
 * sent) — and the deprecated `sendText`, at both paths the seed names.
 */
import { z } from 'zod';
import type { Content, MediaInput, MediaType } from '../../../../domain/content.js';
import { NotFoundError, ValidationError } from '../../../../services/errors.js';
import type { Api } from '../../../api.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import { defineRoute } from '../../../route.js';
import { ObjectIdSchema } from '../../../schemas.js';
import { withFieldNames, type FieldNames } from '../../../kit/field-names.js';
import { envelope, ok } from './envelope.js';
import { accepted, blank, CHAT_ID, ChatIdSchema, SESSION_JSON, sendOne } from './send.js';
import { bySession, sessionFields, SessionQuery } from './session.js';
import { messageInfo, MessageInfoSchema, protoMessage } from './views.js';

/** A coordinate as the seed sends it ("6.556452") or as a number. */
function coordinate(min: number, max: number) {
  return z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a number').transform(Number)]).pipe(z.number().min(min).max(max));
}

const MessageBody = z
  .object({
    ...sessionFields,
    chatId: ChatIdSchema,
    message: z.preprocess(blank, z.string().max(65536).optional()).meta({ description: 'the text, sent first' }),
    attachments: z.array(ObjectIdSchema).max(10).optional().meta({ description: 'media ids from POST /v1/instances/{id}/media, each sent as its own message (image, video, audio, document or sticker, as stored)' }),
    location: z
      .object({ name: z.string().max(256).optional(), address: z.string().max(1024).optional(), lat: coordinate(-90, 90), lng: coordinate(-180, 180) })
      .strict()
      .optional(),
    contactId: z.preprocess(blank, ObjectIdSchema.optional()).meta({ description: 'a saved contact (POST /v1/instances/{id}/saved-contacts), sent as a vCard' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.message === undefined && !b.attachments?.length && !b.location && !b.contactId) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'give a message, attachments, a location or a contactId' });
    }
  });
type MessageBody = z.output<typeof MessageBody>;

const MessageData = z.object({
  message: z.union([MessageInfoSchema, z.object({})]).meta({ description: 'the text message, or {} when none was sent' }),
  attachment: z.array(z.string()),
  contact: z.record(z.string(), z.unknown()).meta({ description: '{contactMessage: {displayName, vcard}} or {}' }),
  image: z.union([MessageInfoSchema, z.object({})]).meta({ description: 'the first image attachment, or {}' }),
  buttons: z.object({}).meta({ description: 'always {}: this route sends no buttons (see /whatsapp/message/button)' }),
  location: z.record(z.string(), z.unknown()).meta({ description: '{locationMessage: {degreesLatitude, degreesLongitude}} or {}' }),
  messages: z.array(MessageInfoSchema).meta({ description: 'tucan extension: every message sent, in order' }),
});

const SendTextBody = z
  .object({
    ...sessionFields,
    to: ChatIdSchema,
    message: z.string().min(1, 'must not be empty').max(65536),
  })
  .strict();

type Role = 'message' | 'attachment' | 'location' | 'contact';
type Part = { role: Role; content: Content<MediaInput | null>; field: string };

function mediaContent(kind: MediaType, media: MediaInput): Content<MediaInput> {
  if (kind === 'audio') return { type: 'audio', media, ptt: false };
  if (kind === 'sticker') return { type: 'sticker', media };
  return { type: kind, media };
}

/** The seed's fields as native contents, in the order they are sent. The stored kind of each attachment decides its message type. */
async function partsOf(s: Pick<Api, 'media'>, instance: InstanceDoc, body: MessageBody): Promise<{ parts: Part[]; names: FieldNames }> {
  const parts: Part[] = [];
  const names: FieldNames = { ...CHAT_ID, 'body.contact.contact_id': 'body.contactId' };
  if (body.message !== undefined) parts.push({ role: 'message', content: { type: 'text', text: body.message }, field: 'body' });
  for (const [i, id] of (body.attachments ?? []).entries()) {
    const field = `body.attachments.${i}`;
    const stored = await s.media.describe(instance._id, id).catch((err: unknown) => {
      throw err instanceof NotFoundError ? new ValidationError(field, 'no stored media with this id (it may have expired)') : err;
    });
    parts.push({ role: 'attachment', content: mediaContent(stored.kind, { media_id: id }), field });
    // the outbox names media errors after the content type (body.attachments.0.image.media_id)
    names[`${field}.${stored.kind}`] = field;
  }
  if (body.location) parts.push({ role: 'location', content: { type: 'location', ...body.location }, field: 'body.location' });
  if (body.contactId) parts.push({ role: 'contact', content: { type: 'contact_ref', contact_id: body.contactId }, field: 'body' });
  return { parts, names };
}

function messageData(body: MessageBody, parts: Part[], docs: OutboxMessageDoc[]): z.output<typeof MessageData> {
  const doc = (role: Role, type?: string) => docs.find((d, i) => parts[i].role === role && (type === undefined || d.content.type === type));
  const text = doc('message');
  const image = doc('attachment', 'image');
  const contact = doc('contact');
  const location = doc('location');
  return {
    message: text ? messageInfo(text) : {},
    attachment: body.attachments ?? [],
    contact: contact ? protoMessage(contact.content) : {},
    image: image ? messageInfo(image) : {},
    buttons: {},
    location: location ? protoMessage(location.content) : {},
    messages: docs.map(messageInfo),
  };
}

/** whatsapp-web.js' serialized message id: fromMe_remoteJid_id, with users as …@c.us. */
function serializedId(doc: OutboxMessageDoc): string {
  const jid = doc.phone ? `${doc.phone}@c.us` : doc.chat_jid;
  return `true_${jid}_${doc.wa_message_id}`;
}

export function seed003MessageRoutes(s: Pick<Api, 'outbox' | 'media'>) {
  // the seed names both paths (heading and example), so both are documented
  const sendText = (path: string, other: string) =>
    defineRoute({
      ...SESSION_JSON,
      method: 'post',
      path,
      summary: 'Send Text (deprecated): a text to a number or group',
      description: `data is "true_<chat>@c.us_<WhatsApp id>". Also at ${other}. Use /whatsapp/message instead. Native: POST /v1/instances/{id}/messages.`,
      deprecated: true,
      query: SessionQuery,
      body: SendTextBody,
      responses: { 200: { description: 'Sent', schema: envelope(z.string()) } },
      instance: bySession({ field: 'body.session_id' }),
      handler: async (req) => {
        const { instance } = req;
        const doc = await sendOne(s, instance, { to: req.body.to, content: { type: 'text', text: req.body.message } }, {});
        return { body: ok('Message sent successfully', serializedId(doc)) };
      },
    });

  return [
    defineRoute({
      ...SESSION_JSON,
      method: 'post',
      path: '/whatsapp/message',
      summary: 'Send a message to a user or group: text, attachments, location and a saved contact, each as its own message',
      description:
        'All parts are checked (recipient, media ids, saved contact) before any is sent; they go out in the order message, attachments, location, contact. ' +
        'The answer waits for WhatsApp; 503 when the instance is not connected, 502 when WhatsApp refused a part. Native: POST /v1/instances/{id}/messages, once per part.',
      query: SessionQuery,
      body: MessageBody,
      responses: { 200: { description: 'Sent', schema: envelope(MessageData) } },
      instance: bySession({ field: 'body.session_id' }),
      handler: async (req) => {
        const { instance } = req;
        const { parts, names } = await partsOf(s, instance, req.body);
        const docs = await withFieldNames(names, () => s.outbox.sendSeveral(instance, req.body.chatId, parts));
        docs.forEach(accepted);
        return { body: ok('Message sent successfully', messageData(req.body, parts, docs)) };
      },
    }),
    sendText('/whatsapp/message/sendText', '/whatsapp/sendText'),
    sendText('/whatsapp/sendText', '/whatsapp/message/sendText'),
  ];
}
