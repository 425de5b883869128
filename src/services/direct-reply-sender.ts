/**
 * A ReplySender that hands bot replies straight to the instance's engine,
 * with no queue, pacing or retry. It is what the pipeline uses where the
 * durable outbox is not wired; a reply that cannot be sent (engine not
 * connected, media that cannot be fetched) is logged and left out of the
 * returned ids, which are the WhatsApp ids of the replies actually sent.
 */
import { randomBytes } from 'node:crypto';
import { mediaOf, withMedia, type Content, type MediaBytes, type MediaType } from '../domain/content.js';
import { renderInteractive } from '../domain/interactive.js';
import type { EngineContent } from '../engines/engine.js';
import type { Logger } from '../logger.js';
import type { EngineManager } from './engine-manager.js';
import type { MediaIntake, ReplyRequest, ReplySender, SavedContacts } from './ports.js';

export interface DirectReplySenderDeps {
  engines: EngineManager;
  log: Logger;
  /** Needed for replies with media (fetched once per reply, SSRF-safe). */
  media?: MediaIntake;
  /** Needed for replies that reference a saved contact. */
  contacts?: SavedContacts;
}

/** WhatsApp-style id (Baileys web clients use 3EB0 + hex). */
export function newReplyWaId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

export class DirectReplySender implements ReplySender {
  constructor(private readonly deps: DirectReplySenderDeps) {}

  async sendReplies(replies: ReplyRequest[]): Promise<string[]> {
    const sent: string[] = [];
    for (const reply of replies) {
      const id = await this.sendOne(reply);
      if (id) sent.push(id);
    }
    return sent;
  }

  private async sendOne(reply: ReplyRequest): Promise<string | null> {
    const engine = this.deps.engines.get(reply.instanceId);
    const context = { instance_id: reply.instanceId, inbound_message_id: reply.inboundMessageId, rule_id: reply.ruleId };
    if (!engine) {
      this.deps.log.warn(context, 'bot reply not sent: the instance has no running engine');
      return null;
    }
    try {
      const content = await this.toEngineContent(reply.instanceId, reply.content);
      const result = await engine.send({ jid: reply.jid, content, wa_message_id: newReplyWaId() });
      return result.wa_message_id;
    } catch (err) {
      this.deps.log.warn({ ...context, err }, 'bot reply not sent');
      return null;
    }
  }

  private async toEngineContent(instanceId: string, content: Content): Promise<EngineContent> {
    let rendered = renderInteractive(content);
    if (rendered.type === 'contact_ref') {
      if (!this.deps.contacts) throw new Error('saved contacts are not available to resolve the reply');
      const { contact_id, type: _type, ...common } = rendered;
      rendered = { ...common, type: 'contact', contact: await this.deps.contacts.vcardFields(instanceId, contact_id) };
    }
    const input = mediaOf(rendered);
    if (!input) return rendered as EngineContent;
    if (!this.deps.media) throw new Error('media intake is not available to fetch the reply media');
    const kind: MediaType = rendered.type === 'buttons' ? 'image' : (rendered.type as MediaType);
    const stored = await this.deps.media.store(instanceId, input, kind, 'reply');
    const bytes: MediaBytes = await this.deps.media.load(instanceId, stored.media_id);
    return withMedia(rendered, bytes) as EngineContent;
  }
}
