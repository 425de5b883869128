/**
 * Seed 003's structured sends: buttons (`btndata`), buttons with an image
 * (`MediaButton`), a list (`msgdata`) and a contact card (`vcard`). Their
 * field names become the native content model's; buttons and lists are
 * then delivered as faithful text (domain/interactive.ts), as every send is.
 */
import { z } from 'zod';
import type { Content, InteractiveButton, MediaInput } from '../../../../domain/content.js';
import type { Api } from '../../../api.js';
import { defineRoute } from '../../../route.js';
import { CHAT_ID, ChatIdSchema, SESSION_JSON, sendOne } from './send.js';
import { bySession, sessionFields, SessionQuery } from './session.js';

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;
/** The native content model's check for numbers shown, not dialed by tucan (vCards, call buttons): the seed's own 91999999999 must pass. */
const PHONE_LIKE = /^\+?[\d\s().-]{7,20}$/;
const PHONE_HINT = 'must be a phone number with its country code';
const BUTTON_TYPES = { replyButton: 'reply', urlButton: 'url', callButton: 'call' } as const;

const SeedButton = z
  .object({
    type: z.enum(Object.keys(BUTTON_TYPES) as [keyof typeof BUTTON_TYPES, ...(keyof typeof BUTTON_TYPES)[]]),
    title: z.string().trim().min(1).max(256),
    payload: z.string().trim().max(2048).optional().meta({ description: 'the URL (urlButton) or the phone number (callButton)' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.type !== 'replyButton' && !b.payload) ctx.addIssue({ code: 'custom', path: ['payload'], message: `is required for a ${b.type}` });
    if (b.type === 'urlButton' && b.payload && !/^https?:\/\/\S+$/i.test(b.payload)) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'must be an http or https URL' });
    if (b.type === 'callButton' && b.payload && !PHONE_LIKE.test(b.payload)) ctx.addIssue({ code: 'custom', path: ['payload'], message: PHONE_HINT });
  });

const BtnData = z
  .object({
    text: z.string().min(1, 'must not be empty').max(65536),
    buttons: z.array(SeedButton).min(1).max(10),
    footerText: z.string().max(1024).optional(),
  })
  .strict();

const MediaBtnData = BtnData.extend({
  image: z.string().trim().max(4096).regex(/^https?:\/\/\S+$/i, 'must be an http or https URL').meta({ description: 'the image URL, fetched through the SSRF-safe client' }),
  mediaType: z.literal('image', { error: "only 'image' is supported: the buttons are sent as the image's caption" }).optional(),
  mimeType: z.string().trim().regex(MIME, 'must be a MIME type such as image/jpeg').optional(),
}).strict();

const ListData = z
  .object({
    buttonText: z.string().trim().min(1).max(64),
    text: z.string().min(1, 'must not be empty').max(65536),
    title: z.string().max(256).optional(),
    description: z.string().max(1024).optional().meta({ description: 'the footer' }),
    sections: z
      .array(
        z
          .object({
            title: z.string().max(256).optional(),
            rows: z.array(z.object({ title: z.string().trim().min(1).max(256), description: z.string().max(1024).optional(), rowId: z.string().min(1).max(200).optional() }).strict()).min(1),
          })
          .strict(),
      )
      .min(1),
    listType: z.number().int().min(0).max(2).optional().meta({ description: 'accepted; lists are always delivered as numbered text' }),
  })
  .strict();

const VCard = z
  .object({
    fullName: z.string().trim().min(1).max(256),
    displayName: z.string().trim().min(1).max(256).optional(),
    organization: z.string().max(256).optional(),
    phoneNumber: z.string().trim().regex(PHONE_LIKE, PHONE_HINT),
  })
  .strict();

function buttons(data: z.output<typeof BtnData>): { text: string; footer?: string; buttons: InteractiveButton[] } {
  return {
    text: data.text,
    ...(data.footerText ? { footer: data.footerText } : {}),
    buttons: data.buttons.map((b) => ({ type: BUTTON_TYPES[b.type], title: b.title, ...(b.payload ? { payload: b.payload } : {}) })),
  };
}

function list(data: z.output<typeof ListData>): Content<MediaInput> {
  let n = 0;
  const sections = data.sections.map((section) => ({
    ...(section.title ? { title: section.title } : {}),
    // rowId is what a native list reply carries; rows without one are numbered
    rows: section.rows.map((r) => ({ id: r.rowId ?? `row${++n}`, title: r.title, ...(r.description ? { description: r.description } : {}) })),
  }));
  return { type: 'list', text: data.text, button_text: data.buttonText, sections, ...(data.title ? { title: data.title } : {}), ...(data.description ? { footer: data.description } : {}) };
}

/** One route per structured type: its body field, how it becomes native content, and how its error fields are named. */
const KINDS = [
  {
    path: 'button',
    summary: 'Send Button (Template) Message: text, up to 10 reply/URL/call buttons and a footer',
    field: 'btndata',
    schema: BtnData,
    content: (d: z.output<typeof BtnData>): Content<MediaInput> => ({ type: 'buttons', ...buttons(d) }),
    names: { 'body.buttons': 'body.btndata' },
  },
  {
    path: 'MediaButton',
    summary: 'Send Button With Media: buttons under an image (from a URL)',
    field: 'btndata',
    schema: MediaBtnData,
    content: (d: z.output<typeof MediaBtnData>): Content<MediaInput> => ({ type: 'buttons', ...buttons(d), media: { url: d.image, ...(d.mimeType ? { mimetype: d.mimeType } : {}) } }),
    // most specific first: the first matching prefix wins
    names: { 'body.buttons.media.mimetype': 'body.btndata.mimeType', 'body.buttons.media.url': 'body.btndata.image', 'body.buttons.media': 'body.btndata.image', 'body.buttons': 'body.btndata' },
  },
  { path: 'list', summary: 'Send List Message: sections of options behind a button', field: 'msgdata', schema: ListData, content: list, names: { 'body.list': 'body.msgdata' } },
  {
    path: 'contact',
    summary: 'Send Contact Message: a vCard (fullName, displayName, organization, phoneNumber)',
    field: 'vcard',
    schema: VCard,
    content: (v: z.output<typeof VCard>): Content<MediaInput> => ({
      type: 'contact',
      contact: { full_name: v.fullName, phone: v.phoneNumber, ...(v.displayName ? { display_name: v.displayName } : {}), ...(v.organization ? { organization: v.organization } : {}) },
    }),
    names: { 'body.contact': 'body.vcard' },
  },
] as const;

export function seed003InteractiveRoutes(s: Pick<Api, 'outbox'>) {
  return KINDS.map((k) =>
    defineRoute({
      ...SESSION_JSON,
      method: 'post',
      path: `/whatsapp/message/${k.path}`,
      summary: k.summary,
      description:
        (k.field === 'vcard' ? '' : 'Delivered as text that keeps every option (numbered choices, links, call numbers): WhatsApp no longer shows interactive messages from linked devices reliably. ') +
        'Native: POST /v1/instances/{id}/messages.',
      query: SessionQuery,
      body: z.object({ ...sessionFields, chatId: ChatIdSchema, [k.field]: k.schema }).strict(),
      responses: { 204: { description: 'Sent' } },
      instance: bySession({ field: 'body.session_id' }),
      handler: async (req) => {
        const { instance } = req;
        const body = req.body as Record<string, unknown> & { chatId: string };
        const content = (k.content as (d: unknown) => Content<MediaInput>)(body[k.field]);
        await sendOne(s, instance, { to: body.chatId, content }, { ...CHAT_ID, ...k.names });
        return { status: 204 };
      },
    }),
  );
}
