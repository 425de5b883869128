/**
 * The save-time check of content the bot sends later (rule replies, flow
 * steps): what can be known before it is rendered (texts are templates,
 * filled at every send) is checked once, when it is saved, as bulk and
 * recurring sends check theirs.
 */
import type { MediaInput, MediaType } from '../domain/content.js';
import { parseRecipient } from '../domain/recipient.js';
import type { ReplyContent } from '../domain/rules.js';
import { NotFoundError, ValidationError, type FieldProblem } from './errors.js';
import type { MediaCheck, SavedContacts } from './ports.js';

/** What saved content may refer to: media (the media module) and saved contacts. */
export interface ReplyReferences {
  media: MediaCheck;
  contacts: SavedContacts;
}

const MEDIA_KEYS = ['image', 'video', 'audio', 'document', 'sticker'] as const satisfies readonly MediaType[];

/** The parts of content that refer to something outside it (a rule reply has them too). */
export type CheckedContent = Pick<ReplyContent, 'mentions' | 'contact' | 'buttons' | (typeof MEDIA_KEYS)[number]>;

/**
 * Mentions are numbers, a saved contact exists, media ids are live files of
 * this instance that fit, media URLs pass the address policy. Throws
 * ValidationError naming the field under `field`, e.g. body.reply.image.url.
 */
export async function checkReplyContent(references: ReplyReferences, instanceId: string, content: CheckedContent, field: string): Promise<void> {
  const problems: FieldProblem[] = [];
  content.mentions?.forEach((mention, i) => {
    const parsed = parseRecipient(mention);
    if (!parsed.ok) problems.push({ field: `${field}.mentions.${i}`, message: parsed.reason });
  });
  if (problems.length > 0) throw ValidationError.many(problems);
  if (content.contact && 'contact_id' in content.contact) {
    try {
      await references.contacts.vcardFields(instanceId, content.contact.contact_id);
    } catch (err) {
      if (err instanceof NotFoundError) throw new ValidationError(`${field}.contact.contact_id`, 'no saved contact with this id');
      throw err;
    }
  }
  for (const kind of MEDIA_KEYS) {
    const media = content[kind];
    if (!media) continue;
    const { ptt: _ptt, ...source } = media as MediaInput & { ptt?: boolean };
    await references.media.check(instanceId, source, kind, `${field}.${kind}`);
  }
  // buttons with media are sent as an image with the options as its caption
  if (content.buttons?.media) await references.media.check(instanceId, content.buttons.media, 'image', `${field}.buttons.media`);
}
