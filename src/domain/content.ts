/**
 * The message content model: one typed union used by the send API, bulk
 * sends, rule replies, the outbox and the engines.
 *
 * JSON shape (what integrators send): exactly one content key plus shared
 * options, e.g. `{text: "hi"}`, `{image: {url}, caption}`,
 * `{location: {lat, lng}}`. `parseContentBody` turns it into the internal
 * tagged union `Content<MediaInput>`; media intake later swaps the media
 * input for a stored reference and finally for bytes.
 */
import { z } from 'zod';

// ---- media -----------------------------------------------------------------

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;
const OBJECT_ID = /^[0-9a-f]{24}$/;

export const MediaInputSchema = z
  .object({
    url: z.string().trim().max(4096).optional().meta({ description: 'http(s) URL, fetched by tucan through an SSRF-safe client' }),
    base64: z.string().optional().meta({ description: 'file content in base64 (a data: URL prefix is accepted)' }),
    media_id: z.string().optional().meta({ description: 'id returned by POST /v1/instances/{id}/media' }),
    mimetype: z.string().regex(MIME, 'must be a MIME type such as image/jpeg').optional(),
    filename: z.string().trim().min(1).max(255).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const sources = (['url', 'base64', 'media_id'] as const).filter((k) => m[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of url, base64 or media_id' });
      return;
    }
    if (m.url !== undefined && !/^https?:\/\/[^\s]+$/i.test(m.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an http or https URL' });
    if (m.base64 !== undefined) {
      if (m.mimetype === undefined && !m.base64.startsWith('data:')) ctx.addIssue({ code: 'custom', path: ['mimetype'], message: 'is required with base64' });
      if (!isBase64(stripDataUrl(m.base64).data)) ctx.addIssue({ code: 'custom', path: ['base64'], message: 'is not valid base64' });
    }
    if (m.media_id !== undefined && !OBJECT_ID.test(m.media_id)) ctx.addIssue({ code: 'custom', path: ['media_id'], message: 'is not a valid media id' });
  });

export type MediaInput = z.infer<typeof MediaInputSchema>;

/** A file held by the media store (what the outbox persists). */
export interface StoredMedia {
  media_id: string;
  mimetype: string;
  size: number;
  filename?: string;
}

/** What an engine receives: bytes, never a URL or a path. */
export interface MediaBytes {
  data: Buffer;
  mimetype: string;
  filename?: string;
  /** Voice notes tucan converted: their length and the 64 loudness bars (0–100) WhatsApp draws. */
  seconds?: number;
  waveform?: Uint8Array;
}

export function stripDataUrl(value: string): { mimetype: string | null; data: string } {
  const m = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s.exec(value);
  return m ? { mimetype: m[1] ?? null, data: m[2] } : { mimetype: null, data: value };
}

export function isBase64(value: string): boolean {
  const clean = value.replace(/\s+/g, '');
  return clean.length > 0 && clean.length % 4 !== 1 && /^[A-Za-z0-9+/_-]*={0,2}$/.test(clean);
}

// ---- the content union -------------------------------------------------------

export interface VCardFields {
  full_name: string;
  display_name?: string;
  organization?: string;
  phone: string;
}

export interface InteractiveButton {
  type: 'reply' | 'url' | 'call';
  title: string;
  payload?: string;
}

export interface ListSection {
  title?: string;
  rows: { id: string; title: string; description?: string }[];
}

interface Common {
  /** Phone numbers or JIDs to @-mention. */
  mentions?: string[];
  /** Message id (tucan or WhatsApp) to quote. */
  reply_to?: string;
}

export type Content<M = MediaInput> = Common &
  (
    | { type: 'text'; text: string }
    | { type: 'image' | 'video'; media: M; caption?: string }
    | { type: 'audio'; media: M; ptt: boolean }
    | { type: 'document'; media: M; caption?: string; filename?: string }
    | { type: 'sticker'; media: M }
    | { type: 'location'; lat: number; lng: number; name?: string; address?: string }
    | { type: 'contact'; contact: VCardFields }
    | { type: 'contact_ref'; contact_id: string }
    | { type: 'reaction'; emoji: string; message_id: string }
    | { type: 'poll'; name: string; options: string[]; selectable_count: number }
    | { type: 'buttons'; text: string; footer?: string; buttons: InteractiveButton[]; media?: M }
    | { type: 'list'; text: string; title?: string; footer?: string; button_text: string; sections: ListSection[] }
  );

export type ContentType = Content['type'];

// ---- JSON schemas ------------------------------------------------------------

const text = z.string().min(1, 'must not be empty').max(65536);
const caption = z.string().max(4096);
const phoneLike = z.string().trim().regex(/^\+?[\d\s().-]{7,20}$/, 'must be a phone number with its country code');

const LocationSchema = z
  .object({
    lat: z.coerce.number().min(-90).max(90),
    lng: z.coerce.number().min(-180).max(180),
    name: z.string().max(256).optional(),
    address: z.string().max(1024).optional(),
  })
  .strict();

const ContactSchema = z.union([
  z
    .object({
      full_name: z.string().trim().min(1).max(256),
      display_name: z.string().trim().min(1).max(256).optional(),
      organization: z.string().max(256).optional(),
      phone: phoneLike,
    })
    .strict(),
  z.object({ contact_id: z.string().regex(OBJECT_ID, 'is not a valid contact id') }).strict(),
]);

const ButtonSchema = z
  .object({
    type: z.enum(['reply', 'url', 'call']),
    title: z.string().trim().min(1).max(256),
    payload: z.string().max(2048).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.type !== 'reply' && !b.payload) ctx.addIssue({ code: 'custom', path: ['payload'], message: `is required for a ${b.type} button` });
  });

const ButtonsSchema = z
  .object({
    text: text,
    footer: z.string().max(1024).optional(),
    buttons: z.array(ButtonSchema).min(1).max(10),
    media: MediaInputSchema.optional(),
  })
  .strict();

const ListSchema = z
  .object({
    text: text,
    title: z.string().max(256).optional(),
    footer: z.string().max(1024).optional(),
    button_text: z.string().trim().min(1).max(64),
    sections: z
      .array(
        z
          .object({
            title: z.string().max(256).optional(),
            rows: z
              .array(z.object({ id: z.string().min(1).max(200), title: z.string().trim().min(1).max(256), description: z.string().max(1024).optional() }).strict())
              .min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The content keys, each validated by its own schema; exactly one is allowed per message. */
export const contentShape = {
  text: text.optional(),
  image: MediaInputSchema.optional(),
  video: MediaInputSchema.optional(),
  audio: MediaInputSchema.safeExtend({ ptt: z.boolean().optional() }).optional(),
  document: MediaInputSchema.optional(),
  sticker: MediaInputSchema.optional(),
  location: LocationSchema.optional(),
  contact: ContactSchema.optional(),
  reaction: z.object({ emoji: z.string().max(16), message_id: z.string().min(1).max(200) }).strict().optional(),
  poll: z
    .object({
      name: z.string().trim().min(1).max(256),
      options: z.array(z.string().trim().min(1).max(100)).min(2).max(12),
      selectable_count: z.number().int().min(0).optional(),
    })
    .strict()
    .optional(),
  buttons: ButtonsSchema.optional(),
  list: ListSchema.optional(),
};

export const CONTENT_KEYS = Object.keys(contentShape) as (keyof typeof contentShape)[];

export const contentOptions = {
  caption: caption.optional().meta({ description: 'caption for image, video and document' }),
  mentions: z.array(z.string().trim().min(1)).max(256).optional(),
  reply_to: z.string().min(1).max(200).optional().meta({ description: 'message id to quote' }),
};

type ContentBody = { [K in keyof typeof contentShape]?: z.output<(typeof contentShape)[K]> } & {
  caption?: string;
  mentions?: string[];
  reply_to?: string;
};

/** Adds the "exactly one content key" rule to any object schema that spreads `contentShape`. */
export function exactlyOneContent(body: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const present = CONTENT_KEYS.filter((k) => body[k] !== undefined);
  if (present.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: present.length === 0 ? `give one content field: ${CONTENT_KEYS.join(', ')}` : `give only one content field (got ${present.join(', ')})`,
    });
    return;
  }
  const key = present[0];
  if (body.caption !== undefined && !['image', 'video', 'document'].includes(key)) {
    ctx.addIssue({ code: 'custom', path: ['caption'], message: `is not supported for ${key} messages` });
  }
  const poll = body.poll as { options: string[]; selectable_count?: number } | undefined;
  if (poll?.selectable_count !== undefined && poll.selectable_count > poll.options.length) {
    ctx.addIssue({ code: 'custom', path: ['poll', 'selectable_count'], message: 'cannot exceed the number of options' });
  }
}

/** Content without a recipient: rule replies and bulk-send templates. */
export const ContentSchema = z
  .object({ ...contentShape, ...contentOptions })
  .strict()
  .superRefine(exactlyOneContent)
  .meta({ description: 'Exactly one content field (text, image, video, audio, document, sticker, location, contact, reaction, poll, buttons, list) plus options.' });

export type ContentJson = z.input<typeof ContentSchema>;

/** Turns a validated JSON body into the internal tagged union. */
export function parseContentBody(body: ContentBody): Content {
  const common: Common = {};
  if (body.mentions?.length) common.mentions = body.mentions;
  if (body.reply_to) common.reply_to = body.reply_to;
  const cap = body.caption !== undefined && body.caption !== '' ? { caption: body.caption } : {};
  if (body.text !== undefined) return { ...common, type: 'text', text: body.text };
  if (body.image) return { ...common, type: 'image', media: body.image, ...cap };
  if (body.video) return { ...common, type: 'video', media: body.video, ...cap };
  if (body.audio) {
    const { ptt, ...media } = body.audio;
    return { ...common, type: 'audio', media, ptt: ptt ?? false };
  }
  if (body.document) return { ...common, type: 'document', media: body.document, ...cap, ...(body.document.filename ? { filename: body.document.filename } : {}) };
  if (body.sticker) return { ...common, type: 'sticker', media: body.sticker };
  if (body.location) return { ...common, type: 'location', ...body.location };
  if (body.contact) {
    if ('contact_id' in body.contact) return { ...common, type: 'contact_ref', contact_id: body.contact.contact_id };
    return { ...common, type: 'contact', contact: body.contact };
  }
  if (body.reaction) return { ...common, type: 'reaction', emoji: body.reaction.emoji, message_id: body.reaction.message_id };
  if (body.poll) return { ...common, type: 'poll', name: body.poll.name, options: body.poll.options, selectable_count: body.poll.selectable_count ?? 1 };
  if (body.buttons) return { ...common, type: 'buttons', ...body.buttons };
  if (body.list) return { ...common, type: 'list', ...body.list };
  throw new Error('parseContentBody called with a body that has no content');
}

/** The JSON shape of an internal content value (for responses and stored rule replies). */
export function contentToJson(content: Content<unknown>): Record<string, unknown> {
  const { mentions, reply_to } = content;
  const common = { ...(mentions ? { mentions } : {}), ...(reply_to ? { reply_to } : {}) };
  switch (content.type) {
    case 'text':
      return { text: content.text, ...common };
    case 'image':
    case 'video':
      return { [content.type]: content.media, ...(content.caption ? { caption: content.caption } : {}), ...common };
    case 'audio':
      return { audio: { ...(content.media as object), ptt: content.ptt }, ...common };
    case 'document':
      return { document: { ...(content.media as object), ...(content.filename ? { filename: content.filename } : {}) }, ...(content.caption ? { caption: content.caption } : {}), ...common };
    case 'sticker':
      return { sticker: content.media, ...common };
    case 'location': {
      const { lat, lng, name, address } = content;
      return { location: { lat, lng, ...(name ? { name } : {}), ...(address ? { address } : {}) }, ...common };
    }
    case 'contact':
      return { contact: content.contact, ...common };
    case 'contact_ref':
      return { contact: { contact_id: content.contact_id }, ...common };
    case 'reaction':
      return { reaction: { emoji: content.emoji, message_id: content.message_id }, ...common };
    case 'poll':
      return { poll: { name: content.name, options: content.options, selectable_count: content.selectable_count }, ...common };
    case 'buttons': {
      const { type: _t, mentions: _m, reply_to: _r, ...rest } = content;
      return { buttons: rest, ...common };
    }
    case 'list': {
      const { type: _t, mentions: _m, reply_to: _r, ...rest } = content;
      return { list: rest, ...common };
    }
  }
}

/** The text a content carries, for placeholders, previews and rule matching. */
export function contentText(content: Content<unknown>): string | null {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'image':
    case 'video':
    case 'document':
      return content.caption ?? null;
    case 'buttons':
    case 'list':
      return content.text;
    case 'poll':
      return content.name;
    case 'location':
      return content.name ?? null;
    default:
      return null;
  }
}

export function mediaOf<M>(content: Content<M>): M | null {
  switch (content.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return content.media;
    case 'buttons':
      return content.media ?? null;
    default:
      return null;
  }
}

/** Rebuilds a content value with its media swapped (intake: input → stored → bytes). */
export function withMedia<A, B>(content: Content<A>, media: B | null): Content<B> {
  if (mediaOf(content) === null) return content as unknown as Content<B>;
  return { ...content, media } as unknown as Content<B>;
}
