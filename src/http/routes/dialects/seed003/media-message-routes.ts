/**
 * Seed 003's media sends: an uploaded `file` (multipart) as an image,
 * video, audio or document message, and `fileurl` (a URL fetched through
 * the SSRF-safe media intake). The native send does the work; only image
 * answers with the sent message, as the seed shows (the others: 204).
 */
import { z } from 'zod';
import type { Content, MediaInput, MediaType } from '../../../../domain/content.js';
import { ValidationError } from '../../../../services/errors.js';
import type { Api } from '../../../api.js';
import { defineRoute } from '../../../route.js';
import { FlexBoolean, toSendInput } from '../../v1/message-input.js';
import type { FieldNames } from '../../../kit/field-names.js';
import { envelope, ok, SEED003_TAG } from './envelope.js';
import { blank, CHAT_ID, ChatIdSchema, sendOne } from './send.js';
import { bySession, sessionFields, SessionQuery } from './session.js';
import { messageInfo, MessageInfoSchema } from './views.js';

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;
const optionalText = (max: number) => z.preprocess(blank, z.string().max(max).optional());

type UploadKind = Exclude<MediaType, 'sticker'>;

/** The four upload routes: the path segment, the message type and the form fields it takes besides chatId. */
const UPLOADS: { path: string; kind: UploadKind; summary: string; fields: z.ZodRawShape; answers: 200 | 204 }[] = [
  { path: 'image', kind: 'image', summary: 'Send Image Message (multipart: file, chatId, caption)', fields: { caption: optionalText(4096) }, answers: 200 },
  { path: 'video', kind: 'video', summary: 'Send Video Message (multipart: file, chatId, caption)', fields: { caption: optionalText(4096) }, answers: 204 },
  { path: 'audio', kind: 'audio', summary: 'Send Audio Message (multipart: file, chatId; ptt for a voice note)', fields: { ptt: FlexBoolean.optional().meta({ description: 'tucan extension: send as a voice note' }) }, answers: 204 },
  { path: 'doc', kind: 'document', summary: 'Send Document Message (multipart: file, chatId, filename)', fields: { filename: z.preprocess(blank, z.string().trim().max(255).optional()), caption: optionalText(4096) }, answers: 204 },
];

const FILEURL_TYPES = ['image', 'video', 'audio', 'document', 'doc', 'sticker'] as const;

const FileUrlBody = z
  .object({
    ...sessionFields,
    chatId: ChatIdSchema,
    url: z.string().trim().max(4096).regex(/^https?:\/\/\S+$/i, 'must be an http or https URL').meta({ description: 'fetched by tucan through its SSRF-safe client' }),
    type: z.enum(FILEURL_TYPES).meta({ description: "the message type; 'doc' means document" }),
    mimetype: z.preprocess(blank, z.string().trim().regex(MIME, 'must be a MIME type such as image/jpeg').optional()),
    caption: optionalText(4096),
    filename: z.preprocess(blank, z.string().trim().max(255).optional()).meta({ description: 'tucan extension: the file name shown for a document' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.caption !== undefined && !['image', 'video', 'document', 'doc'].includes(b.type)) ctx.addIssue({ code: 'custom', path: ['caption'], message: `is not supported for ${b.type} messages` });
  });

function urlContent(b: z.output<typeof FileUrlBody>): Content<MediaInput> {
  const media: MediaInput = { url: b.url, ...(b.mimetype ? { mimetype: b.mimetype } : {}) };
  const caption = b.caption !== undefined ? { caption: b.caption } : {};
  if (b.type === 'audio') return { type: 'audio', media, ptt: false };
  if (b.type === 'sticker') return { type: 'sticker', media };
  if (b.type === 'doc' || b.type === 'document') return { type: 'document', media, ...caption, ...(b.filename ? { filename: b.filename } : {}) };
  return { type: b.type, media, ...caption };
}

/** Media intake names the content's field (body.image.url); the seed's client sent `url` and `mimetype`. */
const URL_FIELDS: FieldNames = Object.fromEntries(
  (['image', 'video', 'audio', 'document', 'sticker'] as const).flatMap((k) => [
    [`body.${k}.mimetype`, 'body.mimetype'],
    [`body.${k}.url`, 'body.url'],
    [`body.${k}`, 'body.url'],
  ]),
);

export function seed003MediaMessageRoutes(s: Pick<Api, 'config' | 'outbox'>) {
  const limits = s.config.media.maxBytes;
  return [
    ...UPLOADS.map((u) =>
      defineRoute({
        method: 'post',
        path: `/whatsapp/message/${u.path}`,
        tags: [SEED003_TAG],
        summary: u.summary,
        description: `multipart/form-data with the file as \`file\`; session_id and access_token in the query. At most ${limits[u.kind]} bytes; the content must really be a ${u.kind}. Native: POST /v1/instances/{id}/messages (multipart).`,
        auth: 'principal',
        queryToken: true,
        query: SessionQuery,
        body: z.object({ ...sessionFields, chatId: ChatIdSchema, ...u.fields }).strict(),
        accepts: ['multipart'],
        files: { file: { description: `the ${u.kind}`, required: true } },
        maxUploadBytes: limits[u.kind],
        responses: u.answers === 200 ? { 200: { description: 'Sent', schema: envelope(MessageInfoSchema) } } : { 204: { description: 'Sent' } },
        instance: bySession({ field: 'body.session_id' }),
        handler: async (req) => {
          if (req.files.length === 0) throw new ValidationError('file', 'is required: upload the file as the multipart field "file"');
          const { instance } = req;
          const { chatId, session_id: _s, access_token: _t, ...fields } = req.body as Record<string, unknown> & { chatId: string };
          const input = toSendInput({ to: chatId, type: u.kind, ...fields }, req.files);
          const doc = await sendOne(s, instance, input);
          return u.answers === 200 ? { body: ok('Message sent successfully', messageInfo(doc)) } : { status: 204 };
        },
      }),
    ),
    defineRoute({
      method: 'post',
      path: '/whatsapp/message/fileurl',
      tags: [SEED003_TAG],
      summary: 'Send File URL: a file fetched from a URL, as an image, video, audio or document',
      description: 'Form fields (multipart or urlencoded) or JSON: chatId, url, type, mimetype, caption. Private and loopback addresses are refused. Native: POST /v1/instances/{id}/messages with {<type>: {url}}.',
      auth: 'principal',
      queryToken: true,
      // it takes multipart uploads, so its body is never read before the credential is checked: no access_token in the body
      accepts: ['multipart', 'form', 'json'],
      query: SessionQuery,
      body: FileUrlBody,
      responses: { 204: { description: 'Sent' } },
      instance: bySession({ field: 'body.session_id' }),
      handler: async (req) => {
        const { instance } = req;
        await sendOne(s, instance, { to: req.body.chatId, content: urlContent(req.body) }, { ...CHAT_ID, ...URL_FIELDS });
        return { status: 204 };
      },
    }),
  ];
}
