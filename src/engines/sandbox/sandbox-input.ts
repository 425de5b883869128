/**
 * The owner's test chat: what a person types into it, and the normalised
 * InboundMessage the sandbox engine injects for it, exactly as the Baileys
 * engine would report the same message from a real phone.
 */
import { z } from 'zod';
import { isBase64, stripDataUrl, type MediaBytes } from '../../domain/content.js';
import type { InboundKind, InboundMessage } from '../../domain/inbound.js';
import { parseRecipient } from '../../domain/recipient.js';

const media = (type: 'image' | 'video' | 'audio' | 'document' | 'sticker') =>
  z
    .object({
      type: z.literal(type),
      mimetype: z.string().trim().min(3).max(100).optional(),
      filename: z.string().trim().min(1).max(255).optional(),
      size: z.number().int().min(0).optional(),
      seconds: z.number().int().min(0).optional(),
      ptt: z.boolean().optional(),
      base64: z
        .string()
        .max(8_000_000)
        .refine((v) => isBase64(stripDataUrl(v).data), 'is not valid base64')
        .optional()
        .meta({ description: "The file itself, so the bot can keep it (a flow's media answer); without it the message carries only its description" }),
    })
    .strict();

export const SandboxContentSchema = z
  .discriminatedUnion('type', [
    media('image'),
    media('video'),
    media('audio'),
    media('document'),
    media('sticker'),
    z.object({ type: z.literal('location'), lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), name: z.string().max(256).optional(), address: z.string().max(1024).optional() }).strict(),
    z.object({ type: z.literal('contact'), display_name: z.string().trim().min(1).max(256), phone: z.string().trim().regex(/^\+?[\d\s().-]{7,20}$/, 'must be a phone number') }).strict(),
    z.object({ type: z.literal('button_reply'), id: z.string().min(1).max(200), title: z.string().trim().min(1).max(256) }).strict(),
    z.object({ type: z.literal('list_reply'), id: z.string().min(1).max(200), title: z.string().trim().min(1).max(256) }).strict(),
    z.object({ type: z.literal('reaction'), emoji: z.string().max(16), target_id: z.string().min(1).max(200) }).strict(),
    z.object({ type: z.literal('poll'), name: z.string().trim().min(1).max(256), options: z.array(z.string().trim().min(1).max(100)).min(2).max(12) }).strict(),
  ])
  .meta({
    description:
      'Non-text content, as the sender\'s phone would deliver it: media (the message text becomes its caption), location, contact, button_reply / list_reply (a tap on an option), reaction, poll.',
  });
export type SandboxContent = z.output<typeof SandboxContentSchema>;

const CAPTIONED = new Set(['image', 'video', 'document']);

export const SandboxMessageSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9]{8,64}$/, 'must be 8 to 64 letters or digits')
      .optional()
      .meta({ description: 'The WhatsApp message id; sending the same id again (a retry) is recognised as the same message and not answered twice. Generated when left out.' }),
    from: z.string().trim().min(1).max(100).meta({ description: "The sender: a phone number with its country code, or a JID (@s.whatsapp.net or @lid)", example: '59171234567' }),
    text: z.string().min(1).max(65536).optional().meta({ description: 'The message text, or the caption of image, video and document content' }),
    push_name: z.string().trim().min(1).max(100).optional().meta({ description: "The sender's WhatsApp display name" }),
    group: z.string().trim().min(1).max(100).optional().meta({ description: 'Send it inside this group (its id or …@g.us JID) instead of a private chat' }),
    content: SandboxContentSchema.optional(),
    unread: z.boolean().optional().meta({ description: 'Arrived while the bot was offline (Baileys append)' }),
    from_me: z.boolean().optional().meta({ description: "Typed on the owner's own phone or another linked device: answered only with actions.multi_device; pauses the chat when takeover_minutes is set" }),
  })
  .strict()
  .superRefine((body, ctx) => {
    const sender = parseRecipient(body.from);
    if (!sender.ok) ctx.addIssue({ code: 'custom', path: ['from'], message: sender.reason });
    else if (sender.recipient.kind === 'group') ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be a person, not a group (use group for the chat)' });
    if (body.group !== undefined) {
      const group = parseRecipient(body.group.includes('@') ? body.group : `${body.group}@g.us`);
      if (!group.ok || group.recipient.kind !== 'group') ctx.addIssue({ code: 'custom', path: ['group'], message: 'must be a group id or a …@g.us JID' });
    }
    if (body.text === undefined && body.content === undefined) ctx.addIssue({ code: 'custom', path: ['text'], message: 'give text, content, or both (text is the caption of media)' });
    if (body.text !== undefined && body.content !== undefined && !CAPTIONED.has(body.content.type)) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: `cannot be combined with ${body.content.type} content` });
    }
  });
export type SandboxMessageInput = z.output<typeof SandboxMessageSchema>;

/** The linked phone's own number as the sandbox reports it (fromMe messages come from here). */
export const SANDBOX_OWN_JID = 'sandbox@s.whatsapp.net';

/** Builds the message the sandbox injects; `input` has passed SandboxMessageSchema. */
export function buildSandboxMessage(instanceId: string, input: SandboxMessageInput, waMessageId: string, now: number): InboundMessage {
  const sender = parseRecipient(input.from);
  if (!sender.ok || sender.recipient.kind === 'group') throw new Error('buildSandboxMessage needs a validated sender');
  const group = input.group === undefined ? null : parseRecipient(input.group.includes('@') ? input.group : `${input.group}@g.us`);
  const groupJid = group?.ok ? group.recipient.jid : null;
  const senderJid = input.from_me ? SANDBOX_OWN_JID : sender.recipient.jid;
  const message: InboundMessage = {
    instance_id: instanceId,
    wa_message_id: waMessageId,
    // fromMe in a private chat: the chat is the person written to
    chat_jid: groupJid ?? sender.recipient.jid,
    sender_jid: senderJid,
    sender_phone: input.from_me ? null : sender.recipient.phone,
    push_name: input.push_name ?? null,
    is_group: groupJid !== null,
    is_broadcast: false,
    from_me: input.from_me ?? false,
    sent_by_api: false,
    offline: input.unread ?? false,
    timestamp: now,
    kind: 'text',
    text: input.text ?? null,
  };
  const c = input.content;
  if (!c) return message;
  switch (c.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return {
        ...message,
        kind: c.type,
        media: {
          mimetype: c.mimetype ?? DEFAULT_MIME[c.type],
          filename: c.filename ?? null,
          size: c.size ?? null,
          seconds: c.seconds ?? null,
          ...(c.type === 'audio' ? { ptt: c.ptt ?? false } : {}),
        },
      };
    case 'location':
      return { ...message, kind: 'location', location: { lat: c.lat, lng: c.lng, name: c.name ?? null, address: c.address ?? null } };
    case 'contact': {
      const digits = c.phone.replace(/\D/g, '');
      const vcard = `BEGIN:VCARD\nVERSION:3.0\nFN:${c.display_name}\nTEL;type=CELL;waid=${digits}:+${digits}\nEND:VCARD`;
      return { ...message, kind: 'contact', contacts: [{ display_name: c.display_name, vcard }] };
    }
    case 'button_reply':
    case 'list_reply':
      return { ...message, kind: c.type as InboundKind, text: c.title, selected_id: c.id };
    case 'reaction':
      return { ...message, kind: 'reaction', reaction: { emoji: c.emoji, target_id: c.target_id } };
    case 'poll':
      return { ...message, kind: 'poll', text: c.name };
  }
}

const DEFAULT_MIME: Record<'image' | 'video' | 'audio' | 'document' | 'sticker', string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

/** The bytes a test chat message brings (content.base64), or null. */
export function sandboxAttachment(input: SandboxMessageInput): MediaBytes | null {
  const c = input.content;
  if (!c || !('base64' in c) || c.base64 === undefined) return null;
  const { mimetype, data } = stripDataUrl(c.base64);
  return { data: Buffer.from(data, 'base64'), mimetype: c.mimetype ?? mimetype ?? DEFAULT_MIME[c.type], ...(c.filename ? { filename: c.filename } : {}) };
}
