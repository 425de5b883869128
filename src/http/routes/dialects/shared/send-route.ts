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
import type Koa from 'koa';
import { z } from 'zod';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import { ServiceError, ValidationError } from '../../../../services/errors.js';
import type { SendMessageInput } from '../../../../services/outbox/outbox-service.js';
import type { Services } from '../../../../services/services.js';
import { defineRoute, type UploadedFile } from '../../../route.js';
import { toSendInput } from '../../v1/message-input.js';
import { isoOrNull, SHARED_TAG } from './envelope.js';
import { withFieldNames } from './field-names.js';
import { instanceFor } from './instance-for.js';

/** A caption holds less than a text message (the native API's limits). */
const CAPTION_MAX = 4096;

const SendBody = z
  .object({
    phone: z.string().trim().min(1).max(120).optional().meta({ description: "seed 001: the number with its country code, digits only ('573001234567')", example: '573001234567' }),
    phoneId: z.string().trim().min(1).max(120).optional().meta({ description: "seed 002: the number with its country code ('+573001234567')", example: '+573001234567' }),
    message: z.string().max(65536).optional().meta({ description: 'the text; with a mediaFile, its caption (required without a file)' }),
    scheduledTime: z.string().trim().min(1).max(64).optional().meta({ description: "seed 002: ISO 8601 with offset ('2025-05-16T10:00:00.000Z'); the message is stored and sent then" }),
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

/** The native send input for this request, refusing what the seeds do not allow. */
function toInput(body: SendBody, files: UploadedFile[]): SendMessageInput {
  const stray = files.find((f) => f.field !== 'mediaFile');
  if (stray) throw new ValidationError(stray.field, 'is not a known file field (send the file as mediaFile)');
  const to = (body.phone ?? body.phoneId)!;
  const message = body.message === '' ? undefined : body.message;
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
  // the native API answers 502 here too: the message is stored, WhatsApp refused it
  if (doc.status === 'failed') throw new ServiceError(502, 'WhatsApp did not take the message', `WhatsApp did not take the message ${doc._id}: ${doc.error ?? 'unknown error'}`);
  const message = doc.status === 'scheduled' ? 'Message scheduled' : doc.sent_at !== undefined ? 'Message sent' : 'Message queued';
  return {
    success: true,
    message,
    data: { messageId: doc._id, phone: doc.phone ?? doc.to, status: doc.status, timestamp: isoOrNull(doc.sent_at ?? doc.created_at)! },
    messageId: doc._id,
    scheduledFor: isoOrNull(doc.schedule_at),
  };
}

/** The native 503 suggests `"queue": true`, which these seeds do not have; their way to send later is scheduledTime. */
function notConnectedInSeedWords(err: unknown, status: string): unknown {
  if (!(err instanceof ServiceError) || err.status !== 503 || status === 'connected') return err;
  return new ServiceError(503, err.title, `WhatsApp is not connected (status: ${status}); link it first, or give scheduledTime to send the message later`, err.errors, err.headers);
}

/** Seed 001's limit is for its API-key clients; seed 002 documents none, and its users must not lose sends to a neighbour's limit. */
const isApiKeyCaller = (ctx: Koa.Context) => ctx.get('x-api-key').trim() !== '';

export function sharedRoutes(s: Services) {
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
      rateLimit: 'seed',
      rateLimitWhen: isApiKeyCaller,
      body: SendBody,
      accepts: ['json', 'multipart', 'form'],
      // curl --data '{"phone":…}' labels JSON as a form
      jsonInForm: true,
      files: { mediaFile: { description: 'seed 002: the media file to send (image, video, audio or document; the message is its caption)' } },
      maxUploadBytes: maxUpload,
      responses: {
        200: { description: 'Sent, or scheduled', schema: SendAnswer },
        400: { description: 'Validation error, naming the field', schema: ErrorSchema },
        502: { description: 'WhatsApp refused the message (it is recorded as failed)', schema: ErrorSchema },
        503: { description: 'WhatsApp is not connected', schema: ErrorSchema },
      },
      handler: async ({ principal, body, files }) => {
        const instance = await instanceFor(s, principal!);
        const doc = await withFieldNames(fieldNames(body), async () => s.outbox.send(instance, toInput(body, files))).catch((err: unknown) => {
          throw notConnectedInSeedWords(err, s.lifecycle.status(instance).status);
        });
        return { body: answer(doc) };
      },
    }),
  ];
}
