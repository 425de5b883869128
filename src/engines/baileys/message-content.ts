/**
 * What a WhatsApp message says, whatever its wrapper: a pure function from
 * Baileys' `proto.IMessage` to the content fields of tucan's InboundMessage.
 *
 * Wrappers (ephemeral, view-once v1/v2/extension, document-with-caption,
 * edited) are removed with Baileys' own `normalizeMessageContent`, so any
 * content type inside any wrapper is read the same way.
 */
import { getContentType, normalizeMessageContent, proto, toNumber } from '@whiskeysockets/baileys';
import type { InboundKind, InboundMedia, InboundMessage } from '../../domain/inbound.js';

export type ExtractedContent = Pick<
  InboundMessage,
  'kind' | 'text' | 'media' | 'location' | 'contacts' | 'selected_id' | 'reaction' | 'protocol_type' | 'target_id' | 'quoted_id' | 'mentions'
>;

type Long = Parameters<typeof toNumber>[0];

interface MediaFields {
  mimetype?: string | null;
  fileName?: string | null;
  fileLength?: Long | null;
  seconds?: number | null;
  ptt?: boolean | null;
  caption?: string | null;
}

const MEDIA_KINDS: Record<string, InboundKind> = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
};

/** The content of a message, or null when it carries none (a stub or a bare key distribution). */
export function extractContent(raw: proto.IMessage | null | undefined): ExtractedContent | null {
  const message = normalizeMessageContent(raw);
  const type = getContentType(message ?? undefined);
  if (!message || !type) return null;
  const body = message[type] as unknown;
  const context = contextOf(body);
  const base = { ...context, ...(readContent(type, body) ?? { kind: 'unknown' as const, text: captionOf(body) }) };
  return base;
}

/** The short text a quoted or edited message shows. */
export function textOf(raw: proto.IMessage | null | undefined): string | null {
  return extractContent(raw)?.text ?? null;
}

function readContent(type: keyof proto.IMessage, body: unknown): ExtractedContent | null {
  if (type === 'conversation') return { kind: 'text', text: typeof body === 'string' ? body : null };
  if (MEDIA_KINDS[type]) return media(MEDIA_KINDS[type], body as MediaFields);
  switch (type) {
    case 'extendedTextMessage':
      return { kind: 'text', text: (body as proto.Message.IExtendedTextMessage).text ?? null };
    case 'locationMessage':
    case 'liveLocationMessage': {
      const loc = body as proto.Message.ILocationMessage & proto.Message.ILiveLocationMessage;
      const name = loc.name ?? null;
      return {
        kind: 'location',
        text: name ?? loc.caption ?? null,
        location: { lat: loc.degreesLatitude ?? 0, lng: loc.degreesLongitude ?? 0, name, address: loc.address ?? null },
      };
    }
    case 'contactMessage': {
      const c = body as proto.Message.IContactMessage;
      return { kind: 'contact', text: c.displayName ?? null, contacts: [{ display_name: c.displayName ?? null, vcard: c.vcard ?? '' }] };
    }
    case 'contactsArrayMessage': {
      const c = body as proto.Message.IContactsArrayMessage;
      const contacts = (c.contacts ?? []).map((x) => ({ display_name: x.displayName ?? null, vcard: x.vcard ?? '' }));
      return { kind: 'contact', text: c.displayName ?? contacts[0]?.display_name ?? null, contacts };
    }
    case 'buttonsResponseMessage': {
      const r = body as proto.Message.IButtonsResponseMessage;
      return { kind: 'button_reply', text: r.selectedDisplayText ?? null, selected_id: r.selectedButtonId ?? '' };
    }
    case 'templateButtonReplyMessage': {
      const r = body as proto.Message.ITemplateButtonReplyMessage;
      return { kind: 'button_reply', text: r.selectedDisplayText ?? null, selected_id: r.selectedId ?? '' };
    }
    case 'listResponseMessage': {
      const r = body as proto.Message.IListResponseMessage;
      return { kind: 'list_reply', text: r.title ?? null, selected_id: r.singleSelectReply?.selectedRowId ?? '' };
    }
    case 'interactiveResponseMessage': {
      // native-flow replies (the buttons WhatsApp still renders) carry the id inside a JSON string
      const r = body as proto.Message.IInteractiveResponseMessage;
      return { kind: 'button_reply', text: r.body?.text ?? null, selected_id: nativeFlowId(r.nativeFlowResponseMessage?.paramsJson) };
    }
    case 'reactionMessage': {
      const r = body as proto.Message.IReactionMessage;
      // an empty text means the reaction was removed
      return { kind: 'reaction', text: r.text || null, reaction: { emoji: r.text ?? '', target_id: r.key?.id ?? '' } };
    }
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3':
    case 'pollCreationMessageV5':
      return { kind: 'poll', text: (body as proto.Message.IPollCreationMessage).name ?? null };
    case 'pollUpdateMessage': {
      // votes are encrypted; Baileys no longer decrypts them automatically (fact sheet §8)
      const r = body as proto.Message.IPollUpdateMessage;
      return { kind: 'poll_vote', text: null, ...(r.pollCreationMessageKey?.id ? { target_id: r.pollCreationMessageKey.id } : {}) };
    }
    case 'protocolMessage':
      return protocol(body as proto.Message.IProtocolMessage);
    default:
      return null;
  }
}

function media(kind: InboundKind, m: MediaFields): ExtractedContent {
  const info: InboundMedia = {
    mimetype: m.mimetype ?? null,
    filename: m.fileName ?? null,
    size: m.fileLength === null || m.fileLength === undefined ? null : toNumber(m.fileLength),
    seconds: typeof m.seconds === 'number' && m.seconds > 0 ? m.seconds : null,
  };
  if (kind === 'audio') info.ptt = Boolean(m.ptt);
  return { kind, text: m.caption || null, media: info };
}

function protocol(p: proto.Message.IProtocolMessage): ExtractedContent {
  const name = p.type === null || p.type === undefined ? 'UNKNOWN' : (proto.Message.ProtocolMessage.Type[p.type] ?? String(p.type));
  const out: ExtractedContent = { kind: 'protocol', text: null, protocol_type: name };
  if (p.key?.id) out.target_id = p.key.id;
  // an edit carries the new content; a revoke carries none
  if (p.editedMessage) out.text = textOf(p.editedMessage);
  return out;
}

function contextOf(body: unknown): Pick<ExtractedContent, 'quoted_id' | 'mentions'> {
  if (!body || typeof body !== 'object' || !('contextInfo' in body)) return {};
  const ctx = (body as { contextInfo?: proto.IContextInfo | null }).contextInfo;
  const out: Pick<ExtractedContent, 'quoted_id' | 'mentions'> = {};
  if (ctx?.stanzaId) out.quoted_id = ctx.stanzaId;
  if (ctx?.mentionedJid?.length) out.mentions = [...ctx.mentionedJid];
  return out;
}

function captionOf(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as { caption?: unknown; text?: unknown; contentText?: unknown; name?: unknown };
  for (const v of [b.caption, b.text, b.contentText, b.name]) if (typeof v === 'string' && v) return v;
  return null;
}

function nativeFlowId(paramsJson: string | null | undefined): string {
  if (!paramsJson) return '';
  try {
    const parsed = JSON.parse(paramsJson) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : '';
  } catch {
    return '';
  }
}
