/**
 * `POST /api/messages/send`, defined by both seed 001 and seed 002.
 *
 * - Seed 001: `X-API-Key` (the instance token), JSON `{phone, message}`,
 *   answer `{success, data: {messageId, phone, status, timestamp}}`, 400 on
 *   validation errors, 503 when WhatsApp is not connected, and its rate
 *   limit (100 requests / 15 min per IP).
 * - Seed 002: the session cookie (→ the user's default instance), multipart
 *   `phoneId`, `message`, optional `mediaFile` and `scheduledTime`, answer
 *   `{success, messageId, scheduledFor}`.
 *
 * One handler takes either credential and either body, and answers with
 * both seeds' fields. The send itself is the native one (outbox.send).
 */
import { z } from 'zod';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import { ValidationError } from '../../../../services/errors.js';
import type { SendMessageInput } from '../../../../services/outbox/outbox-service.js';
import type { Api } from '../../../api.js';
import { withFieldNames } from '../../../kit/field-names.js';
import { byCredential } from '../../../kit/instance.js';
import { sendOutcome } from '../../../kit/send-outcome.js';
import { defineRoute, type UploadedFile } from '../../../route.js';
import { AiModificationsSchema } from '../../../schemas.js';
import { toSendInput } from '../../v1/message-input.js';
import { isoOrNull, SHARED_TAG } from './envelope.js';

/** A caption holds less than a text message (the native API's limits). */
const CAPTION_MAX = 4096;

const SendBody = z
  .object({
    phone: z.string().trim().min(1).max(120).optional().meta({ description: "seed 001: the number with its country code, digits only ('573001234567')", example: '573001234567' }),
    phoneId: z.string().trim().min(1).max(120).optional().meta({ description: "seed 002: the number with its country code ('+573001234567')", example: '+573001234567' }),
    message: z.string().max(65536).optional().meta({ description: 'the text; with a mediaFile, its caption (required without a file)' }),
    scheduledTime: z.string().trim().min(1).max(64).optional().meta({ description: "seed 002: ISO 8601 with offset ('2025-05-16T10:00:00.000Z'); the message is stored and sent then" }),
    aiModifications: AiModificationsSchema.optional().meta({
      description: 'seed 002: vary the text (or the caption) once, as /api/messages/schedule does; in a multipart or form body, as JSON text',
    }),
  })
  .superRefine((b, ctx) => {
    if (b.phone === undefined && b.phoneId === undefined) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'is required (seed 002 clients send it as phoneId)' });
    if (b.phone !== undefined && b.phoneId !== undefined) ctx.addIssue({ code: 'custom', path: ['phoneId'], message: 'give phone or phoneId, not both' });
  })
  .meta({ id: 'SharedSendMessage' });

type SendBody = z.output<typeof SendBody>;

const SendAnswer = z
  .object({
    success: z.literal(true),
    message: z.string().meta({ description: 'Message sent, Message queued or Message scheduled' }),
    data: z.object({ messageId: z.string(), phone: z.string(), status: z.string(), timestamp: z.string() }).meta({ description: "seed 001's fields" }),
    messageId: z.string().meta({ description: "seed 002: the same id as data.messageId (tucan's message id, also valid under /v1/instances/{id}/messages/{msgId})" }),
    scheduledFor: z.string().nullable().meta({ description: 'seed 002: when a scheduled message will be sent; null for immediate sends' }),
  })
  .meta({ id: 'SharedSendAnswer' });

const ErrorSchema = z.object({ success: z.literal(false), error: z.string(), message: z.string(), errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(), request_id: z.string() });

/** The native send input for this request, refusing what the seeds do not allow; `vary` applies aiModifications. */
function toInput(body: SendBody, files: UploadedFile[], vary: (text: string) => string): SendMessageInput {
  const stray = files.find((f) => f.field !== 'mediaFile');
  if (stray) throw new ValidationError(stray.field, 'is not a known file field (send the file as mediaFile)');
  const to = (body.phone ?? body.phoneId)!;
  const message = body.message === '' || body.message === undefined ? undefined : vary(body.message);
  const schedule = body.scheduledTime !== undefined ? { schedule_at: body.scheduledTime } : {};
  if (files.length === 0) {
    if (message === undefined || message.trim() === '') throw new ValidationError('body.message', 'is required');
    return toSendInput({ to, text: message, ...schedule }, files);
  }
  if (message !== undefined && message.length > CAPTION_MAX) throw new ValidationError('body.message', `is the file's caption here, at most ${CAPTION_MAX} characters`);
  return toSendInput({ to, ...(message !== undefined ? { caption: message } : {}), ...schedule }, files);
}

/** Native field names → this request's (the recipient field is whichever the caller used). */
function fieldNames(body: SendBody) {
  return { 'body.to': body.phoneId !== undefined ? 'body.phoneId' : 'body.phone', 'body.schedule_at': 'body.scheduledTime', 'body.caption': 'body.message', 'body.text': 'body.message', file: 'mediaFile' };
}

function answer(doc: OutboxMessageDoc) {
  // refused as the native API refuses it (502, or 409 when cancelled); the message stays stored
  sendOutcome(doc);
  const message = doc.status === 'scheduled' ? 'Message scheduled' : doc.sent_at !== undefined ? 'Message sent' : 'Message queued';
  return {
    success: true,
    message,
    data: { messageId: doc._id, phone: doc.phone ?? doc.to, status: doc.status, timestamp: isoOrNull(doc.sent_at ?? doc.created_at)! },
    messageId: doc._id,
    scheduledFor: isoOrNull(doc.schedule_at),
  };
}

export function sharedRoutes(s: Pick<Api, 'config' | 'outbox' | 'variation'>) {
  const maxUpload = Math.max(...Object.values(s.config.media.maxBytes));
  return [
    defineRoute({
      method: 'post',
      path: '/api/messages/send',
      tags: [SHARED_TAG],
      summary: 'Send a message (seed 001 and seed 002)',
      description:
        'Seed 001: `X-API-Key` + JSON `{phone, message}`. Seed 002: session cookie + multipart (or JSON, or form) `phoneId`, `message`, optional `mediaFile` and `scheduledTime`; it acts on the user\'s default instance. ' +
        'Answers 200 once WhatsApp took the message (or, with `scheduledTime`, once it is stored); 400 naming the field for bad input; 503 when WhatsApp is not connected and the message is not scheduled; 502 when WhatsApp refused it. ' +
        "API-key callers count against seed 001's rate limit (100 requests per 15 minutes per IP by default).",
      auth: 'principal',
      instance: byCredential,
      body: SendBody,
      accepts: ['json', 'multipart', 'form'],
      files: { mediaFile: { description: 'seed 002: the media file to send (image, video, audio or document; the message is its caption)' } },
      maxUploadBytes: maxUpload,
      responses: {
        200: { description: 'Sent, or scheduled', schema: SendAnswer },
        400: { description: 'Validation error, naming the field', schema: ErrorSchema },
        502: { description: 'WhatsApp refused the message (it is recorded as failed)', schema: ErrorSchema },
        503: { description: 'WhatsApp is not connected', schema: ErrorSchema },
      },
      handler: async ({ instance, body, files }) => {
        const mods = body.aiModifications;
        const vary = (text: string) => (mods ? s.variation.vary(text, mods, Math.random) : text);
        const doc = await withFieldNames(fieldNames(body), async () => s.outbox.send(instance, toInput(body, files, vary)));
        return { body: answer(doc) };
      },
    }),
  ];
}
