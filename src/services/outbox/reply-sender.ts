/**
 * Bot replies go through the same durable outbox as API sends: persisted
 * before any attempt, paced, retried, and visible in the message listing.
 * A reply that cannot be prepared (say, its media URL is down) is recorded
 * as failed with the reason instead of vanishing.
 *
 * The inbound message and its replies are stored by one ordered insert,
 * the message first (see OutboxService.storeAnswer): a message delivered
 * again after a restart is refused by its unique WhatsApp id, and the
 * insert stops there, before a second answer. So reply ids need not be
 * derived from the inbound message; they are ordinary, time-ordered ids,
 * which keep the id index's inserts at its end (hash-derived ids landed all
 * over it and cost the pipeline benchmark about 10 %).
 *
 * With pacing off and the engine connected, replies skip the queue: they
 * are stored already claimed and handed to the instance's dispatcher.
 */
import type { Logger } from '../../logger.js';
import { withMedia, type Content, type StoredMedia } from '../../domain/content.js';
import { normalizeJid } from '../../domain/recipient.js';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';
import type { InboundMessageDoc } from '../../store/repositories/inbound-messages.js';
import { newId } from '../../store/port.js';
import { ServiceError } from '../errors.js';
import type { Answered, ReplyRequest, ReplySender } from '../ports.js';
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

  async answer(message: InboundMessageDoc, replies: ReplyRequest[]): Promise<Answered> {
    const docs: OutboxMessageDoc[] = [];
    for (const r of replies) docs.push(await this.build(r));
    if (!(await this.outbox.storeAnswer(message, docs))) return { stored: false, ids: [] };
    for (const d of docs) if (d.status === 'failed') this.outcomes.failed(d);
    return { stored: true, ids: docs.map((d) => d._id) };
  }

  private async build(r: ReplyRequest): Promise<OutboxMessageDoc> {
    const now = this.clock();
    const jid = normalizeJid(r.jid);
    const base = {
      id: newId(),
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
