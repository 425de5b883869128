/**
 * The conversation record: an inbound message, with the bot's decision and
 * its replies, stored by one ordered insert, the message first.
 *
 * - A message delivered again (reconnects, Baileys replaying `append` after
 *   `notify`) is refused by its unique WhatsApp id, and the insert stops
 *   there, before a second answer. So reply ids need not be derived from
 *   the message: they are ordinary, time-ordered ids, which keep the id
 *   index's inserts at its end.
 * - Replies go through the durable outbox like API sends: persisted before
 *   any attempt, paced, retried, visible in the message listing. When the
 *   instance's dispatcher can send them at once they skip the queue
 *   (DispatchPool.submit).
 * - A reply that cannot be prepared (its media URL is down, say) is
 *   recorded as failed, with the reason, instead of vanishing.
 * - A message is never lost for its replies' sake: when they cannot be
 *   stored, it is stored alone, with the reason.
 */
import type { Logger } from '../../logger.js';
import { withMedia, type Content, type StoredMedia } from '../../domain/content.js';
import { normalizeJid } from '../../domain/recipient.js';
import { DuplicateKeyError, newId } from '../../store/port.js';
import type { InboundMessageDoc } from '../../store/repositories/inbound-messages.js';
import type { OutboxMessageDoc, OutboxRepo } from '../../store/repositories/outbox.js';
import { ServiceError } from '../errors.js';
import type { Answered, ConversationRecord, ReplyRequest } from '../ports.js';
import type { DispatchPool } from './dispatch-pool.js';
import type { OutboxOutcomes } from './outcomes.js';
import { newOutboxDoc } from './outbox-service.js';
import type { ContentPreparer } from './preparer.js';

const REFUSED: Answered = { stored: false, ids: [] };

export class ConversationRecorder implements ConversationRecord {
  constructor(
    private readonly repo: OutboxRepo,
    private readonly pool: DispatchPool,
    private readonly preparer: ContentPreparer,
    private readonly outcomes: OutboxOutcomes,
    private readonly clock: () => number,
    private readonly log: Logger,
  ) {}

  async record(message: InboundMessageDoc, replies: ReplyRequest[]): Promise<Answered> {
    if (replies.length === 0) return (await this.insertAlone(message)) ? { stored: true, ids: [] } : REFUSED;
    const docs: OutboxMessageDoc[] = [];
    try {
      for (const r of replies) docs.push(await this.build(r));
      await this.pool.submit(message.instance_id, docs, () => this.repo.insertAnswer(message, docs));
    } catch (err) {
      if (err instanceof DuplicateKeyError) return REFUSED;
      this.log.error({ err, instance_id: message.instance_id, message_id: message._id }, 'bot replies could not be stored; the message is stored without them');
      const reason = err instanceof Error ? err.message : String(err);
      // the trace must not claim a reply that never left
      const alone = { ...message, decision: { ...message.decision, reply_error: reason } };
      return (await this.insertAlone(alone)) ? { stored: true, ids: [] } : REFUSED;
    }
    for (const d of docs) if (d.status === 'failed') this.outcomes.failed(d);
    return { stored: true, ids: docs.map((d) => d._id) };
  }

  async unpublished(instanceId: string, waMessageId: string) {
    const doc = await this.repo.owingInbound(instanceId, waMessageId);
    if (!doc?.unpublished) return null;
    const replyIds = doc.unpublished.bot_replied ? await this.repo.replyIds(instanceId, doc._id) : [];
    return { messageId: doc._id, owed: doc.unpublished, replyIds };
  }

  published(messageId: string): Promise<void> {
    return this.repo.clearUnpublished(messageId);
  }

  owing(before: number, limit: number) {
    return this.repo.owingSince(before, limit);
  }

  /** Bot messages that answer no message (a flow's timeout): stored and queued like replies; their outbox ids. */
  async say(replies: ReplyRequest[]): Promise<string[]> {
    if (replies.length === 0) return [];
    const docs: OutboxMessageDoc[] = [];
    for (const r of replies) docs.push(await this.build(r));
    await this.pool.submit(replies[0].instanceId, docs, () => this.repo.insertMany(docs));
    for (const d of docs) if (d.status === 'failed') this.outcomes.failed(d);
    return docs.map((d) => d._id);
  }

  /** False when the message is already stored (delivered again). */
  private async insertAlone(message: InboundMessageDoc): Promise<boolean> {
    try {
      await this.repo.insertAnswer(message, []);
      return true;
    } catch (err) {
      if (err instanceof DuplicateKeyError) return false;
      throw err;
    }
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
      extra: { ...(r.inboundMessageId !== null ? { inbound_message_id: r.inboundMessageId } : {}), rule_id: r.ruleId },
    };
    try {
      const content = await this.preparer.prepare(r.instanceId, r.content, 'reply');
      const quoted = await this.preparer.target(r.instanceId, content, jid, 'reply');
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
