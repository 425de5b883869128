/**
 * The send request, declared once for JSON and multipart. JSON carries the
 * content as one content field (`{to, text}`, `{to, image: {url}}` …);
 * multipart carries a file plus form fields (`to`, `type`, `caption`, `ptt`,
 * `filename`), or a plain `text`.
 */
import { z } from 'zod';
import { CONTENT_KEYS, contentOptions, contentShape, exactlyOneContent, MEDIA_TYPES, parseContentBody, type Content, type MediaInput, type MediaType } from '../../../domain/content.js';
import { ValidationError } from '../../../services/errors.js';
import type { SendMessageInput } from '../../../services/outbox/outbox-service.js';
import type { UploadedFile } from '../../route.js';

/** Booleans from JSON, or from form fields ("true"/"false"/"1"/"0"). */
export const FlexBoolean = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]).meta({ type: 'boolean' });

export const RecipientSchema = z
  .union([
    z.string().trim().min(1).max(120),
    z.object({ code: z.string().trim(), phone: z.string().trim() }).strict().meta({ description: "seed 000's country code and number" }),
  ])
  .meta({ description: "digits with country code ('573001234567'), a formatted number ('+57 300 123 4567'), {code, phone}, or a JID (…@s.whatsapp.net, …@c.us, …@lid, …@g.us)" });

const splitList = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v);

export const SendMessageSchema = z
  .object({
    to: RecipientSchema,
    ...contentShape,
    ...contentOptions,
    mentions: z.preprocess(splitList, contentOptions.mentions).meta({ description: 'phone numbers or JIDs to @-mention (multipart: comma-separated)' }),
    schedule_at: z.string().trim().max(64).optional().meta({ description: "ISO 8601 with offset ('2025-05-16T10:00:00-04:00'); the message is stored and sent at that second" }),
    queue: FlexBoolean.optional().meta({ description: 'answer at once (202) instead of waiting for WhatsApp, and accept even while the instance is offline' }),
    type: z.enum(MEDIA_TYPES).optional().meta({ description: 'multipart: the message type of the uploaded file (default: from its content type)' }),
    ptt: FlexBoolean.optional().meta({ description: 'multipart: send an uploaded audio file as a voice note' }),
    filename: z.string().trim().min(1).max(255).optional().meta({ description: 'multipart: file name shown for a document' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    // a multipart upload brings its content as a file; the handler checks that one of the two is there
    if (CONTENT_KEYS.some((k) => body[k] !== undefined)) exactlyOneContent(body, ctx);
  })
  .meta({ id: 'SendMessage' });

export type SendMessageBody = z.output<typeof SendMessageSchema>;

function kindFromFile(file: UploadedFile): MediaType {
  if (MEDIA_TYPES.includes(file.field as MediaType)) return file.field as MediaType;
  const type = (file.mimetype ?? '').toLowerCase();
  if (type.startsWith('image/')) return type === 'image/webp' ? 'sticker' : 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

/** The send input from a validated body and the uploaded files. */
export function toSendInput(body: SendMessageBody, files: UploadedFile[]): SendMessageInput {
  const { to, schedule_at, queue, type, ptt, filename } = body;
  const common = { to, ...(schedule_at !== undefined ? { schedule_at } : {}), ...(queue !== undefined ? { queue } : {}) };
  if (files.length > 1) throw new ValidationError('file', 'send one file per message');
  const present = CONTENT_KEYS.filter((k) => body[k] !== undefined);
  if (files.length === 1) {
    if (present.length > 0) throw new ValidationError(`body.${present[0]}`, 'cannot be combined with an uploaded file (use caption for its text)');
    const file = files[0];
    const kind = type ?? kindFromFile(file);
    if (ptt !== undefined && kind !== 'audio') throw new ValidationError('body.ptt', 'applies to audio files only');
    const media = null as MediaInput | null;
    const opts = { ...(body.mentions?.length ? { mentions: body.mentions } : {}), ...(body.reply_to ? { reply_to: body.reply_to } : {}) };
    const caption = body.caption ? { caption: body.caption } : {};
    if (body.caption !== undefined && !['image', 'video', 'document'].includes(kind)) throw new ValidationError('body.caption', `is not supported for ${kind} messages`);
    const name = filename ?? file.filename ?? undefined;
    let content: Content<MediaInput | null>;
    if (kind === 'audio') content = { ...opts, type: 'audio', media, ptt: ptt ?? false };
    else if (kind === 'document') content = { ...opts, type: 'document', media, ...caption, ...(name ? { filename: name } : {}) };
    else if (kind === 'sticker') content = { ...opts, type: 'sticker', media };
    else content = { ...opts, type: kind, media, ...caption };
    return { ...common, content, file: { ...file, filename: name ?? null } };
  }
  if (present.length === 0) throw new ValidationError('body', `give one content field (${CONTENT_KEYS.join(', ')}) or upload a file`);
  for (const k of ['type', 'ptt', 'filename'] as const) {
    if (body[k] !== undefined) throw new ValidationError(`body.${k}`, `is for multipart uploads; in JSON put it inside the content field (e.g. ${k === 'ptt' ? 'audio.ptt' : 'document.filename'})`);
  }
  return { ...common, content: parseContentBody(body) };
}
