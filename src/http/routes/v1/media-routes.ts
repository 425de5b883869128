/**
 * Stored media: upload once (multipart file, URL or base64), reuse the
 * media_id in any number of messages (seed 003's attachments) until it
 * expires. Media belongs to its instance.
 */
import { z } from 'zod';
import { MEDIA_TYPES } from '../../../domain/content.js';
import type { MediaDoc } from '../../../services/media/media-store.js';
import { ValidationError } from '../../../services/errors.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema, paginate, PaginationQuery } from '../../schemas.js';

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9-]+=[^;]+)*$/i;

export const MediaUploadSchema = z
  .object({
    type: z.enum(MEDIA_TYPES).meta({ description: 'the message type the file is for; its real content type must fit it' }),
    url: z.string().trim().max(4096).optional().meta({ description: 'http(s) URL, fetched through the SSRF-safe client' }),
    base64: z.string().optional().meta({ description: 'file content in base64 (a data: URL prefix is accepted)' }),
    mimetype: z.string().trim().regex(MIME, 'must be a MIME type such as application/pdf').optional().meta({ description: 'declared type (required with base64)' }),
    filename: z.string().trim().min(1).max(255).optional(),
  })
  .strict();

export const MediaViewSchema = z
  .object({
    media_id: z.string(),
    type: z.enum(MEDIA_TYPES),
    mimetype: z.string().meta({ description: 'sniffed from the content' }),
    size: z.number().int(),
    filename: z.string().nullable(),
    sha256: z.string(),
    created_at: z.string(),
    expires_at: z.string(),
  })
  .meta({ id: 'Media' });

const MediaParams = z.object({ id: ObjectIdSchema, mediaId: ObjectIdSchema }).strict();

function mediaView(doc: MediaDoc) {
  return {
    media_id: doc._id,
    type: doc.kind,
    mimetype: doc.mimetype,
    size: doc.size,
    filename: doc.filename,
    sha256: doc.sha256,
    created_at: new Date(doc.created_at).toISOString(),
    expires_at: new Date(doc.expires_at).toISOString(),
  };
}

export function mediaRoutes(s: Pick<Api, 'config' | 'media'>) {
  const limits = s.config.media.maxBytes;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/media',
      tags: ['Media'],
      summary: 'Store a file for later messages; returns a media_id',
      description:
        `Send multipart/form-data with one \`file\` and a \`type\` field, or JSON \`{type, url}\` / \`{type, base64, mimetype}\`. ` +
        `Limits: image ${limits.image}, video ${limits.video}, audio ${limits.audio}, document ${limits.document}, sticker ${limits.sticker} bytes. ` +
        'The content is sniffed: images must be JPEG/PNG/WebP, videos MP4/3GP, audio MP3/AAC/M4A/AMR/Ogg Opus, stickers WebP; ' +
        'documents may be anything, but a declared mimetype that contradicts the content is refused. ' +
        `Stored media expires after ${s.config.media.ttlSeconds} s.`,
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: MediaUploadSchema,
      accepts: ['multipart', 'json'],
      files: { file: { description: 'the file (multipart only)' } },
      maxUploadBytes: Math.max(...Object.values(limits)),
      // base64 is a third larger than the file; the per-type limit is enforced on the decoded size
      maxJsonBytes: Math.ceil((Math.max(...Object.values(limits)) * 4) / 3) + 64 * 1024,
      responses: { 201: { description: 'Stored', schema: MediaViewSchema } },
      handler: async ({ instance, body, files }) => {
        const sources = [files.length > 0 ? 'file' : null, body.url !== undefined ? 'url' : null, body.base64 !== undefined ? 'base64' : null].filter(Boolean);
        if (files.length > 1) throw new ValidationError('file', 'send one file per request');
        if (sources.length !== 1) throw new ValidationError('body', sources.length === 0 ? 'send a file (multipart), url or base64' : `send only one of file, url or base64 (got ${sources.join(', ')})`);
        if (files.length === 1) {
          const file = files[0];
          const upload = { ...file, filename: body.filename ?? file.filename, mimetype: body.mimetype ?? file.mimetype };
          return { status: 201, body: mediaView(await s.media.accept(instance._id, upload, body.type, 'file')) };
        }
        if (body.url !== undefined && !/^https?:\/\//i.test(body.url)) throw new ValidationError('body.url', 'must be an http or https URL');
        const { type, ...source } = body;
        return { status: 201, body: mediaView(await s.media.accept(instance._id, source, type, 'body')) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/media',
      tags: ['Media'],
      summary: "The instance's stored media that has not expired, newest first",
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      query: PaginationQuery,
      responses: { 200: { description: 'Media', schema: z.object({ media: z.array(MediaViewSchema), pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), pages: z.number() }) }) } },
      handler: async ({ instance, query }) => {
        const { media, total } = await s.media.list(instance._id, query.page, query.limit);
        return { body: { media: media.map(mediaView), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/media/:mediaId',
      tags: ['Media'],
      summary: 'One stored file (metadata)',
      auth: 'principal',
      instance: byPath,
      params: MediaParams,
      responses: { 200: { description: 'The file', schema: MediaViewSchema } },
      handler: async ({ instance, params }) => {
        return { body: mediaView(await s.media.describe(instance._id, params.mediaId)) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/instances/:id/media/:mediaId',
      tags: ['Media'],
      summary: 'Delete a stored file before it expires',
      description: 'Messages that still refer to this media_id can no longer send it.',
      auth: 'principal',
      instance: byPath,
      params: MediaParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance, params }) => {
        await s.media.remove(instance._id, params.mediaId);
        return { status: 204 };
      },
    }),
  ];
}
