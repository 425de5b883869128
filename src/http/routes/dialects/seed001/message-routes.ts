/**
 * Seed 001's media and bulk sends, onto the outbox and bulk jobs. (The text
 * send, `POST /api/messages/send`, is shared with seed 002: see
 * dialects/shared/send-route.ts.)
 *
 * - send-image: `imageUrl`, or `base64` + `mimetype`, with a caption.
 * - send-document: `documentUrl`, an optional `filename` and caption.
 * - send-bulk: `{recipients, message, delay}` becomes a bulk job paced by
 *   `delay` ms. The seed answers "Envío masivo completado" once done, so the
 *   answer waits for the job up to BULK_WAIT_MS and then reports each
 *   recipient; a longer job answers with its id and progress so far, and
 *   keeps going.
 */
import { z } from 'zod';
import { parseContentBody, type Content, type MediaInput } from '../../../../domain/content.js';
import { parsePhone } from '../../../../domain/recipient.js';
import { MAX_BULK_RECIPIENTS } from '../../../../services/outbox/bulk-jobs.js';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import { defineRoute } from '../../../route.js';
import { sendOutcome } from '../../../kit/send-outcome.js';
import { isoOrNull } from '../shared/envelope.js';
import { withFieldNames } from '../../../kit/field-names.js';
import { errorResponses, ok, SEED001_TAG, successSchema } from './envelope.js';

/** How long send-bulk waits for its job: a bulk send of a few numbers answers with every result, under the usual 30 s client timeouts. */
export const BULK_WAIT_MS = 25_000;
const MAX_DELAY_MS = 600_000;
const TAGS = [SEED001_TAG];

const Phone = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .superRefine((v, ctx) => {
    const parsed = parsePhone(v);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .meta({ description: "the number with its country code, without '+'", example: '573001234567' });

const HttpUrl = z.string().trim().max(4096).regex(/^https?:\/\/\S+$/i, 'must be an http or https URL');

const SendImageBody = z
  .object({
    phone: Phone,
    imageUrl: HttpUrl.optional().meta({ example: 'https://example.com/image.jpg' }),
    base64: z.string().optional().meta({ description: 'the image in base64 (a data: URL is accepted); instead of imageUrl' }),
    mimetype: z.string().max(128).optional().meta({ description: 'required with base64 (unless it is a data: URL)', example: 'image/jpeg' }),
    caption: z.string().max(4096).optional().meta({ example: 'Mira esta imagen' }),
  })
  .superRefine((b, ctx) => {
    if ((b.imageUrl === undefined) === (b.base64 === undefined)) ctx.addIssue({ code: 'custom', path: ['imageUrl'], message: 'give imageUrl or base64 (exactly one)' });
  })
  .meta({ id: 'Seed001SendImage' });

const SendDocumentBody = z
  .object({
    phone: Phone,
    documentUrl: HttpUrl.meta({ example: 'https://example.com/document.pdf' }),
    filename: z.string().trim().min(1).max(255).optional().meta({ description: 'the name shown; defaults to the name in the URL', example: 'documento.pdf' }),
    caption: z.string().max(4096).optional().meta({ example: 'Aquí está el documento' }),
  })
  .meta({ id: 'Seed001SendDocument' });

const SendBulkBody = z
  .object({
    recipients: z.array(z.string().max(120)).min(1).max(MAX_BULK_RECIPIENTS).meta({ example: ['573001234567', '573009876543'] }),
    message: z.string().min(1, 'must not be empty').max(65536).meta({ example: 'Mensaje para todos' }),
    delay: z.number().int().min(0).max(MAX_DELAY_MS).default(0).meta({ description: 'milliseconds between two messages of this send, on top of the instance pacing', example: 2000 }),
  })
  .meta({ id: 'Seed001SendBulk' });

const SentData = z.object({
  messageId: z.string().meta({ description: "tucan's message id (as on POST /api/messages/send)" }),
  phone: z.string(),
  status: z.string().meta({ description: 'sent, delivered … or queued while WhatsApp has not confirmed it yet' }),
  timestamp: z.string(),
});

const BulkData = z.object({
  jobId: z.string(),
  completed: z.boolean().meta({ description: 'false when the job was still running at the answer; follow it at statusUrl' }),
  total: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  statusUrl: z.string().meta({ description: 'the native job (same X-API-Key)' }),
  results: z.array(z.object({ phone: z.string(), status: z.string(), messageId: z.string(), error: z.string().nullable() })),
  warnings: z.array(z.string()),
});

function sentAnswer(doc: OutboxMessageDoc, okMessage: string) {
  // stored but refused by WhatsApp (502) or cancelled (409), as the native API answers
  sendOutcome(doc);
  const sent = doc.sent_at !== undefined;
  return { body: ok({ messageId: doc._id, phone: doc.phone ?? doc.to, status: doc.status, timestamp: isoOrNull(doc.sent_at ?? doc.created_at) }, sent ? okMessage : 'Mensaje en cola') };
}

export function seed001MessageRoutes(s: Pick<Api, 'config' | 'outbox' | 'jobs'>) {
  const imageJsonBytes = Math.ceil((s.config.media.maxBytes.image * 4) / 3) + 64 * 1024;
  return [
    defineRoute({
      method: 'post',
      path: '/api/messages/send-image',
      tags: TAGS,
      summary: 'Send an image by URL or base64, with a caption',
      description: 'Native: `POST /v1/instances/{id}/messages {to, image: {url} | {base64, mimetype}, caption}`. URLs are fetched through the SSRF-safe client.',
      auth: 'principal',
      instance: byCredential,
      rateLimit: 'seed',
      body: SendImageBody,
      maxJsonBytes: imageJsonBytes,
      responses: { 200: { description: 'Imagen enviada exitosamente', schema: successSchema('Seed001Sent', SentData) }, ...errorResponses(413, 502, 503) },
      handler: async ({ instance, body }) => {
        const media: MediaInput = body.imageUrl !== undefined ? { url: body.imageUrl } : { base64: body.base64!, ...(body.mimetype ? { mimetype: body.mimetype } : {}) };
        const content = parseContentBody({ image: media, ...(body.caption ? { caption: body.caption } : {}) });
        const source = body.imageUrl !== undefined ? 'body.imageUrl' : 'body.base64';
        const names = { 'body.to': 'body.phone', 'body.image.mimetype': 'body.mimetype', 'body.image.url': 'body.imageUrl', 'body.image.base64': 'body.base64', 'body.image': source };
        return sentAnswer(await withFieldNames(names, () => s.outbox.send(instance, { to: body.phone, content })), 'Imagen enviada exitosamente');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/messages/send-document',
      tags: TAGS,
      summary: 'Send a document by URL, with a file name and a caption',
      description: 'Native: `POST /v1/instances/{id}/messages {to, document: {url, filename}, caption}`.',
      auth: 'principal',
      instance: byCredential,
      rateLimit: 'seed',
      body: SendDocumentBody,
      responses: { 200: { description: 'Documento enviado exitosamente', schema: successSchema('Seed001SentDocument', SentData) }, ...errorResponses(413, 502, 503) },
      handler: async ({ instance, body }) => {
        const document = { url: body.documentUrl, ...(body.filename ? { filename: body.filename } : {}) };
        const content: Content = parseContentBody({ document, ...(body.caption ? { caption: body.caption } : {}) });
        const names = { 'body.to': 'body.phone', 'body.document.url': 'body.documentUrl', 'body.document.filename': 'body.filename', 'body.document': 'body.documentUrl' };
        return sentAnswer(await withFieldNames(names, () => s.outbox.send(instance, { to: body.phone, content })), 'Documento enviado exitosamente');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/messages/send-bulk',
      tags: TAGS,
      summary: 'Send one text to many recipients, `delay` ms apart',
      description:
        `Becomes a bulk job (native: \`POST /v1/instances/{id}/messages/bulk {recipients, content: {text}, delay_ms}\`). Every recipient is validated first; one bad number rejects the request naming it (\`body.recipients.N\`). ` +
        `The answer waits for the job up to ${BULK_WAIT_MS / 1000} s and lists each recipient's result ("Envío masivo completado"); a longer job answers with its id and progress ("Envío masivo en curso") and keeps going — follow it at \`statusUrl\`. 503 when WhatsApp is not connected.`,
      auth: 'principal',
      instance: byCredential,
      rateLimit: 'seed',
      body: SendBulkBody,
      responses: { 200: { description: 'Envío masivo completado (or still running, see data.completed)', schema: successSchema('Seed001Bulk', BulkData) }, ...errorResponses(503) },
      handler: async ({ instance, body }) => {
        // a job would wait for the connection; the seed's clients expect a send now, or 503
        const { job, completed, counts, results, warnings } = await s.jobs.sendAndWait(instance, { recipients: body.recipients, content: { type: 'text', text: body.message }, delay_ms: body.delay }, BULK_WAIT_MS);
        return {
          body: ok(
            {
              jobId: job._id,
              completed,
              total: counts.total,
              sent: counts.sent,
              failed: counts.failed,
              pending: counts.pending,
              statusUrl: `/v1/instances/${instance._id}/jobs/${job._id}`,
              results: results.map((m) => ({ phone: m.phone ?? m.to, status: m.status, messageId: m._id, error: m.error ?? null })),
              warnings,
            },
            completed ? 'Envío masivo completado' : 'Envío masivo en curso',
          ),
        };
      },
    }),
  ];
}
