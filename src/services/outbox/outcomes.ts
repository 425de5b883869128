/**
 * Everything that follows a status change of an outbound message, in one
 * place: waking the HTTP request waiting for it, publishing webhook events
 * (message.status, and message.any for our own sends), and nudging bulk
 * job progress.
 *
 * message.any is published here rather than by the inbound pipeline because
 * only the outbox knows a send happened on every engine (the sandbox never
 * echoes sends back; Baileys does, and the pipeline can recognise those
 * echoes by their WhatsApp id through OutboxRepo.byWaId).
 */
import type { Logger } from '../../logger.js';
import type { DomainEvent, MessageStatusData } from '../../domain/events.js';
import { contentText } from '../../domain/content.js';
import { isGroupJid } from '../../domain/recipient.js';
import type { ProgressStatus } from '../../domain/outbox.js';
import { asSent, type OutboxMessageDoc } from '../../store/repositories/outbox.js';
import type { OutboxPorts } from './outbox-ports.js';

type Listener = (doc: OutboxMessageDoc) => void;

export class OutboxOutcomes {
  private readonly waiting = new Map<string, Set<Listener>>();
  private readonly jobListeners: ((jobId: string) => void)[] = [];

  constructor(
    private readonly ports: OutboxPorts,
    private readonly log: Logger,
  ) {}

  /** Resolves with the message once it is sent or failed, or with null after `ms`. */
  waitFor(id: string, ms: number): Promise<OutboxMessageDoc | null> {
    return new Promise((resolve) => {
      const listeners = this.waiting.get(id) ?? new Set<Listener>();
      this.waiting.set(id, listeners);
      const done: Listener = (doc) => {
        clearTimeout(timer);
        listeners.delete(done);
        if (listeners.size === 0) this.waiting.delete(id);
        resolve(doc);
      };
      const timer = setTimeout(() => {
        listeners.delete(done);
        if (listeners.size === 0) this.waiting.delete(id);
        resolve(null);
      }, ms);
      // a waiter must never keep the process alive on shutdown
      timer.unref();
      listeners.add(done);
    });
  }

  onJobChange(listener: (jobId: string) => void): void {
    this.jobListeners.push(listener);
  }

  /** The engine accepted the message (and, when receipts came with it, it got further); `doc` as read back from the store. */
  sent(doc: OutboxMessageDoc): void {
    this.settleWith(doc._id, doc.job_id, () => doc);
    this.publishSent(doc, doc.status as ProgressStatus, doc.sent_at ?? doc.updated_at);
  }

  /**
   * Like sent(), for a message recorded by markSentMany(…, status, now)
   * without being read back: the document as asSent() describes it is only
   * built for a request waiting on it. Building it for every reply (an
   * object rest, which V8 copies in its runtime) was measured at up to 15 %
   * of the main thread under a reply flood.
   */
  sentAs(claimed: OutboxMessageDoc, status: ProgressStatus, now: number): void {
    this.settleWith(claimed._id, claimed.job_id, () => asSent(claimed, status, now));
    this.publishSent(claimed, status, now);
  }

  failed(doc: OutboxMessageDoc): void {
    this.settle(doc);
    this.publishStatus(doc, 'failed');
  }

  /** A receipt moved the message on (delivered, read, played, or a late failure). */
  advanced(doc: OutboxMessageDoc, status: MessageStatusData['status']): void {
    this.settle(doc);
    this.publishStatus(doc, status);
  }

  cancelled(doc: OutboxMessageDoc): void {
    this.settle(doc);
    this.publishStatus(doc, 'cancelled');
  }

  /** Several messages of one job were cancelled at once: one progress update, no per-message event flood. */
  jobChanged(jobId: string): void {
    for (const l of this.jobListeners) l(jobId);
  }

  private settle(doc: OutboxMessageDoc): void {
    this.settleWith(doc._id, doc.job_id, () => doc);
  }

  private settleWith(id: string, jobId: string | null | undefined, doc: () => OutboxMessageDoc): void {
    const listeners = this.waiting.get(id);
    if (listeners) {
      const settled = doc();
      for (const l of [...listeners]) l(settled);
    }
    if (jobId) this.jobChanged(jobId);
  }

  private publishSent(doc: OutboxMessageDoc, status: ProgressStatus, sentAt: number): void {
    const sink = this.ports.events;
    // most instances of a busy gateway have no subscriber for these: the events are not even built
    const wantsStatus = sink?.wants(doc.instance_id, 'message.status') ?? false;
    const wantsAny = sink?.wants(doc.instance_id, 'message.any') ?? false;
    if (!wantsStatus && !wantsAny) return;
    const events: DomainEvent[] = [];
    if (wantsStatus) events.push(this.statusEvent(doc, 'sent'));
    if (wantsAny) events.push(this.anyEvent(doc, sentAt));
    if (wantsStatus && status !== 'sent') events.push(this.statusEvent(doc, status));
    this.publish(doc.instance_id, events);
  }

  private publishStatus(doc: OutboxMessageDoc, status: MessageStatusData['status']): void {
    if (this.ports.events?.wants(doc.instance_id, 'message.status')) this.publish(doc.instance_id, [this.statusEvent(doc, status)]);
  }

  private statusEvent(doc: OutboxMessageDoc, status: MessageStatusData['status']): DomainEvent {
    return {
      type: 'message.status',
      data: {
        message_id: doc._id,
        wa_message_id: doc.wa_message_id,
        to_jid: doc.chat_jid,
        phone: doc.phone,
        status,
        error: status === 'failed' || status === 'cancelled' ? (doc.error ?? null) : null,
        error_code: status === 'failed' ? (doc.error_code ?? null) : null,
      },
    };
  }

  private anyEvent(doc: OutboxMessageDoc, sentAt: number): DomainEvent {
    return {
      type: 'message.any',
      data: {
        message_id: doc._id,
        wa_message_id: doc.wa_message_id,
        direction: 'out',
        chat_jid: doc.chat_jid,
        from_jid: null,
        from_phone: null,
        to_jid: doc.chat_jid,
        push_name: null,
        is_group: isGroupJid(doc.chat_jid),
        from_me: true,
        sent_by_api: true,
        offline: false,
        kind: doc.kind,
        text: contentText(doc.content),
        timestamp: new Date(sentAt).toISOString(),
        details: { source: doc.source, ...(doc.job_id ? { job_id: doc.job_id } : {}), ...(doc.quoted ? { quoted_id: doc.quoted.wa_message_id } : {}) },
      },
    };
  }

  private publish(instanceId: string, events: DomainEvent[]): void {
    const sink = this.ports.events;
    if (!sink) return;
    sink.publish(instanceId, events).catch((err) => this.log.error({ err, instance_id: instanceId }, 'could not publish outbox events'));
  }
}
