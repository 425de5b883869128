/**
 * Bot replies go through the same durable outbox as API sends: persisted
 * before any attempt, paced, retried, and visible in the message listing.
 * A reply that cannot be prepared (say, its media URL is down) is recorded
 * as failed with the reason instead of vanishing.
 *
 * A reply's id is derived from the inbound message's WhatsApp id and the
 * reply's position, so an inbound message redelivered after a restart maps
 * to the same outbox documents and the primary key refuses a second copy.
 *
 * With pacing off and the engine connected, replies skip the queue: they
 * are stored already claimed and handed to the instance's dispatcher (see
 * OutboxService.enqueueReplies).
 */
import { hash } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { withMedia, type Content, type StoredMedia } from '../../domain/content.js';
import { normalizeJid } from '../../domain/recipient.js';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';
import { DuplicateKeyError } from '../../store/port.js';
import { ServiceError } from '../errors.js';
import type { ReplyRequest, ReplySender } from '../ports.js';
import type { OutboxOutcomes } from './outcomes.js';
import { newOutboxDoc, type OutboxService } from './outbox-service.js';
import type { ContentPreparer } from './preparer.js';

export class OutboxReplySender implements ReplySender {
  constructor(
    private readonly outbox: OutboxService,
    private readonly preparer: ContentPreparer,
    private readonly outcomes: OutboxOutcomes,
    private readonly clock: () => number,
    private readonly log: Logger,
  ) {}

  async sendReplies(replies: ReplyRequest[]): Promise<string[]> {
    const docs: OutboxMessageDoc[] = [];
    for (const [i, r] of replies.entries()) docs.push(await this.build(r, i));
    try {
      await this.outbox.enqueueReplies(docs);
    } catch (err) {
      if (err instanceof DuplicateKeyError) return docs.map((d) => d._id); // already queued when first delivered
      throw err;
    }
    for (const d of docs) if (d.status === 'failed') this.outcomes.failed(d);
    return docs.map((d) => d._id);
  }

  private async build(r: ReplyRequest, index: number): Promise<OutboxMessageDoc> {
    const now = this.clock();
    const jid = normalizeJid(r.jid);
    const base = {
      id: replyId(r.instanceId, r.inboundWaMessageId, index),
      instanceId: r.instanceId,
      recipient: { jid, phone: r.phone },
      source: 'bot' as const,
      now,
      extra: { inbound_message_id: r.inboundMessageId, rule_id: r.ruleId },
    };
    try {
      const content = await this.preparer.prepare(r.instanceId, r.content, 'reply');
      const quoted = content.reply_to ? await this.preparer.quoted(r.instanceId, content.reply_to, jid, 'reply.reply_to') : null;
      return newOutboxDoc({ ...base, content, quoted });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      this.log.warn({ instance_id: r.instanceId, inbound_message_id: r.inboundMessageId, reason: err.message }, 'bot reply could not be prepared; recorded as failed');
      // keep what the rule asked for (without the media that could not be taken in) so the owner sees it
      const doc = newOutboxDoc({ ...base, content: withMedia(r.content, null) as Content<StoredMedia>, quoted: null });
      delete doc.dispatch_at;
      return { ...doc, status: 'failed', error: `the reply could not be prepared: ${err.message}`, error_code: 'unsendable' };
    }
  }
}

/** 24 hex characters, like every id, but stable for a given inbound message and position. */
function replyId(instanceId: string, inboundWaMessageId: string, index: number): string {
  // the one-shot hash: the same digest without a Hash object per reply
  return hash('sha256', `${instanceId}|${inboundWaMessageId}|${index}`, 'hex').slice(0, 24);
}
