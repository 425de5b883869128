/**
 * Seed 000's sending and group routes, onto the outbox and the groups
 * service: text, image (multipart, 5 MB), document (multipart, 15 MB),
 * text to a group, and the group list.
 */
import { z } from 'zod';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import { defineRoute } from '../../../route.js';
import { errorResponses, SEED000_TAG, sentAnswer, SentSchema } from './envelope.js';
import { SendBody, SendDocumentBody, SendImageBody, SendToGroupBody, uploadedFile } from './inputs.js';

/** The seed's limits ("máx. 5 MB", "máx. 15 MB"); media intake also applies tucan's per-type limits. */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const DOCUMENT_MAX_BYTES = 15 * 1024 * 1024;

const TAGS = [SEED000_TAG];

const GroupListSchema = z
  .object({ success: z.literal(true), data: z.array(z.object({ id: z.string().meta({ description: 'group JID, for send-to-group' }), name: z.string() })) })
  .meta({ id: 'Seed000Groups' });

const SENT_RESPONSES = {
  200: { description: 'WhatsApp took the message', schema: SentSchema },
  202: { description: 'Stored and queued: WhatsApp has not confirmed it yet', schema: SentSchema },
};

export function seed000SendRoutes(s: Pick<Api, 'outbox' | 'groups'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/whatsapp/send',
      tags: TAGS,
      summary: 'Send a text message to code + phone',
      description: 'Native: `POST /v1/instances/{id}/messages {to: {code, phone}, text}`.',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      body: SendBody,
      accepts: ['json', 'form'],
      responses: { ...SENT_RESPONSES, ...errorResponses(502, 503) },
      handler: async ({ instance, body }) => {
        const doc = await s.outbox.send(instance, { to: { code: body.code, phone: body.phone }, content: { type: 'text', text: body.message } });
        return sentAnswer(doc, 'Mensaje enviado con éxito');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/whatsapp/send-image',
      tags: TAGS,
      summary: 'Send an image (multipart field `file`, at most 5 MB) with an optional caption',
      description: 'Native: `POST /v1/instances/{id}/messages` (multipart `file`, `type=image`).',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      body: SendImageBody,
      accepts: ['multipart'],
      files: { file: { description: 'the image (.jpg, .png, .webp) — at most 5 MB', required: true } },
      maxUploadBytes: IMAGE_MAX_BYTES,
      responses: { ...SENT_RESPONSES, ...errorResponses(413, 502, 503) },
      handler: async ({ instance, body, files }) => {
        const file = uploadedFile(files);
        const content = { type: 'image' as const, media: null, ...(body.caption ? { caption: body.caption } : {}) };
        const doc = await s.outbox.send(instance, { to: { code: body.code, phone: body.phone }, content, file });
        return sentAnswer(doc, 'Imagen enviada con éxito');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/whatsapp/send-document',
      tags: TAGS,
      summary: 'Send a document (multipart field `file`, at most 15 MB); `fileName` defaults to the uploaded name',
      description: 'Native: `POST /v1/instances/{id}/messages` (multipart `file`, `type=document`, `filename`).',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      body: SendDocumentBody,
      accepts: ['multipart'],
      files: { file: { description: 'any file (PDF, DOCX, ZIP …) — at most 15 MB', required: true } },
      maxUploadBytes: DOCUMENT_MAX_BYTES,
      responses: { ...SENT_RESPONSES, ...errorResponses(413, 502, 503) },
      handler: async ({ instance, body, files }) => {
        const file = uploadedFile(files);
        const filename = body.fileName ?? file.filename ?? undefined;
        const content = { type: 'document' as const, media: null, ...(filename ? { filename } : {}) };
        const doc = await s.outbox.send(instance, { to: { code: body.code, phone: body.phone }, content, file: { ...file, filename: filename ?? null } });
        return sentAnswer(doc, 'Documento enviado con éxito');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/whatsapp/send-to-group',
      tags: TAGS,
      summary: 'Send a text message to a group by its JID',
      description: 'Native: `POST /v1/instances/{id}/messages {to: "<id>@g.us", text}`.',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      body: SendToGroupBody,
      accepts: ['json', 'form'],
      responses: { ...SENT_RESPONSES, ...errorResponses(502, 503) },
      handler: async ({ instance, body }) => {
        const doc = await s.outbox.send(instance, { to: body.groupId, content: { type: 'text', text: body.message } });
        return sentAnswer(doc, 'Comunicado enviado al grupo con éxito');
      },
    }),
    defineRoute({
      method: 'get',
      path: '/whatsapp/list-groups',
      tags: TAGS,
      summary: 'The groups the linked number belongs to: id and name',
      description: 'Native: `GET /v1/instances/{id}/groups` (which adds the participants).',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      responses: { 200: { description: 'Groups, by name', schema: GroupListSchema }, ...errorResponses(503) },
      handler: async ({ instance }) => {
        const groups = await s.groups.list(instance);
        return { body: { success: true, data: groups.map((g) => ({ id: g.id, name: g.name })) } };
      },
    }),
  ];
}
