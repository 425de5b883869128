/**
 * Accept-time resolution of an outbound message: everything that can be
 * wrong with a request is found here, before anything is persisted — the
 * recipient, mentions, media (intake stores it and hands back a reference),
 * saved-contact references, quoted messages and reaction targets. What comes
 * out is self-contained: a later deletion of the saved contact or a changed
 * URL cannot alter a message already accepted.
 */
import { isId } from '../../store/port.js';
import { mediaOf, withMedia, type Content, type MediaInput, type MediaType, type StoredMedia } from '../../domain/content.js';
import { parseRecipient, type CodePhone, type Recipient } from '../../domain/recipient.js';
import type { OutboxRepo, QuotedRef } from '../../store/repositories/outbox.js';
import { NotFoundError, ValidationError, type FieldProblem } from '../errors.js';
import type { UploadedFile } from '../ports.js';
import type { OutboxPorts } from './outbox-ports.js';

export function resolveRecipient(input: string | CodePhone, field: string): Recipient {
  const parsed = parseRecipient(input);
  if (!parsed.ok) throw new ValidationError(field, parsed.reason);
  return parsed.recipient;
}

export function mediaKind(content: Content<unknown>): MediaType | null {
  switch (content.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return content.type;
    case 'buttons':
      // rendered as an image with the options as its caption
      return content.media ? 'image' : null;
    default:
      return null;
  }
}

export class ContentPreparer {
  constructor(
    private readonly repo: OutboxRepo,
    private readonly ports: Pick<OutboxPorts, 'media' | 'contacts'>,
  ) {}

  /**
   * Resolves a content for sending. `field` prefixes error field names
   * ('body', 'body.content'); `file` replaces the content's media (multipart).
   */
  async prepare(instanceId: string, content: Content<MediaInput | null>, field: string, file?: UploadedFile): Promise<Content<StoredMedia>> {
    let out: Content<MediaInput | null> = { ...content };
    if (out.mentions) out = { ...out, mentions: this.mentions(out.mentions, `${field}.mentions`) };
    if (out.type === 'contact_ref') out = { ...out, type: 'contact', contact: await this.savedContact(instanceId, out.contact_id, `${field}.contact.contact_id`) } as Content<MediaInput | null>;
    if (out.type === 'reaction') out = { ...out, message_id: await this.reactionTarget(instanceId, out.message_id, `${field}.reaction.message_id`) };
    return this.storeMedia(instanceId, out, field, file);
  }

  /** Media by URL only, re-fetched at every run (recurring sends keep no stored copy that could expire). */
  async prepareTemplate(instanceId: string, content: Content<MediaInput>, field: string): Promise<Content<MediaInput>> {
    const media = mediaOf(content);
    const kind = mediaKind(content);
    if (media && kind && media.url === undefined) {
      throw new ValidationError(`${field}.${content.type === 'buttons' ? 'buttons.media' : content.type}`, 'recurring sends take media by url only (it is fetched again for every run)');
    }
    // resolve everything now so a bad template fails at creation, not at 3 a.m.
    const probe = await this.prepare(instanceId, content, field);
    return withMedia(probe, media) as Content<MediaInput>;
  }

  async storeMedia(instanceId: string, content: Content<MediaInput | null>, field: string, file?: UploadedFile): Promise<Content<StoredMedia>> {
    const kind = mediaKind(content);
    const media = mediaOf(content);
    if (!kind || (!media && !file)) return content as Content<StoredMedia>;
    const mediaField = file ? `file` : `${field}.${content.type === 'buttons' ? 'buttons.media' : content.type}`;
    try {
      let stored = await this.ports.media.store(instanceId, file ?? media!, kind, mediaField);
      // WhatsApp plays only Ogg/Opus as a voice note: other audio is converted now, once, and the result is what is sent
      if (content.type === 'audio' && content.ptt) stored = await this.ports.media.voiceNote(instanceId, stored, file ? `${field}.ptt` : `${mediaField}.ptt`);
      // not withMedia(): a multipart content has no media yet, and withMedia leaves media-less content alone
      return { ...content, media: stored } as Content<StoredMedia>;
    } catch (err) {
      // on a send request, an unknown media id is a bad field of this request, not a missing route resource
      if (err instanceof NotFoundError && media?.media_id !== undefined) throw new ValidationError(`${mediaField}.media_id`, 'no stored media with this id (it may have expired)');
      throw err;
    }
  }

  /**
   * Stored media normally expires after the media TTL; a message that will
   * be sent later (scheduled, or late in a long bulk job) asks the media
   * store to keep its file until then. Without that ability, such a
   * request is refused rather than failing at send time.
   */
  async keepMedia(instanceId: string, content: Content<StoredMedia>, sendBy: number, expiresAt: number, field: string): Promise<void> {
    const media = mediaOf(content);
    if (!media || sendBy <= expiresAt) return;
    const until = sendBy + 24 * 3600_000; // room for retries after the due time
    if (this.ports.media.retain) return this.ports.media.retain(instanceId, media.media_id, until);
    throw new ValidationError(field, `the message would go out after its stored media expires (${new Date(expiresAt).toISOString()}); send it earlier`);
  }

  mentions(values: string[], field: string): string[] {
    const problems: FieldProblem[] = [];
    const jids = values.map((v, i) => {
      const r = parseRecipient(v);
      if (!r.ok) problems.push({ field: `${field}.${i}`, message: r.reason });
      return r.ok ? r.recipient.jid : '';
    });
    if (problems.length > 0) throw ValidationError.many(problems);
    return [...new Set(jids)];
  }

  private async savedContact(instanceId: string, contactId: string, field: string) {
    try {
      return await this.ports.contacts.vcardFields(instanceId, contactId);
    } catch (err) {
      if (err instanceof NotFoundError) throw new ValidationError(field, 'no saved contact with this id');
      throw err;
    }
  }

  /** Reactions may name the target by tucan id; WhatsApp needs its own id. */
  private async reactionTarget(instanceId: string, messageId: string, field: string): Promise<string> {
    if (!isId(messageId)) return messageId;
    const target = await this.repo.findAnyDirection(instanceId, { id: messageId });
    if (!target) throw new ValidationError(field, 'no message with this id');
    if (!target.wa_message_id) throw new ValidationError(field, 'that message has not been sent yet, so it cannot be reacted to');
    return target.wa_message_id;
  }

  /**
   * The stored message a content points at, for the engine to build its key:
   * a reaction's target (its chat, whether it is ours, and its author in a
   * group: a reaction keyed `fromMe: false` without a participant fails
   * silently in groups and on our own messages), else the `reply_to` quote.
   * Call it with the prepared content (reaction targets already WhatsApp ids).
   */
  target(instanceId: string, content: Content<StoredMedia>, chatJid: string, field: string): Promise<QuotedRef | null> {
    if (content.type === 'reaction') return this.quoted(instanceId, content.message_id, chatJid, `${field}.reaction.message_id`);
    return this.quoted(instanceId, content.reply_to, chatJid, `${field}.reply_to`);
  }

  /**
   * The quoted message for `reply_to`: a tucan id must exist; a WhatsApp id
   * is looked up for its details and otherwise quoted as a message in the
   * recipient's chat.
   */
  async quoted(instanceId: string, replyTo: string | undefined, chatJid: string, field: string): Promise<QuotedRef | null> {
    if (!replyTo) return null;
    const byTucanId = isId(replyTo);
    const found = await this.repo.findAnyDirection(instanceId, byTucanId ? { id: replyTo } : { wa_message_id: replyTo });
    if (!found) {
      if (byTucanId) throw new ValidationError(field, 'no message with this id');
      return { wa_message_id: replyTo, chat_jid: chatJid, from_me: false };
    }
    if (!found.wa_message_id) throw new ValidationError(field, 'that message has not been sent yet, so it cannot be quoted');
    const sender = typeof found.sender_jid === 'string' ? found.sender_jid : undefined;
    return {
      wa_message_id: found.wa_message_id,
      chat_jid: found.chat_jid,
      from_me: found.direction === 'out' || found.from_me === true,
      ...(sender ? { sender_jid: sender } : {}),
      text: found.text,
    };
  }
}
