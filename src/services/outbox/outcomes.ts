/**
 * Everything that follows a status change of an outbound message, in one
 * place: waking the HTTP request waiting for it, publishing webhook events
 * (message.status, and message.any for our own sends), and nudging bulk
 * job progress.
 *
 * The events' shapes are the domain's (domain/outbound-events.ts).
 */
import type { Logger } from '../../logger.js';
import type { DomainEvent, MessageStatusData } from '../../domain/events.js';
import { messageStatusEvent, outboundAnyEvent } from '../../domain/outbound-events.js';
import type { ProgressStatus } from '../../domain/outbox.js';
import { asSent, type OutboxMessageDoc } from '../../store/repositories/outbox.js';
import { NO_OBSERVER, type Observer } from '../metrics/observer.js';
import type { EventSink } from '../ports.js';

type Listener = (doc: OutboxMessageDoc) => void;

export class OutboxOutcomes {
  private readonly waiting = new Map<string, Set<Listener>>();

  constructor(
    private readonly events: EventSink,
    private readonly log: Logger,
    /** A message of a bulk job changed: the job's progress is looked at again. */
    private readonly jobChange: (jobId: string) => void,
    private readonly observer: Observer = NO_OBSERVER,
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

  /** The engine accepted the message (and, when receipts came with it, it got further); `doc` as read back from the store. */
  sent(doc: OutboxMessageDoc): void {
    this.observer.sendResult('sent');
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
    this.observer.sendResult('sent');
    this.settleWith(claimed._id, claimed.job_id, () => asSent(claimed, status, now));
    this.publishSent(claimed, status, now);
  }

  failed(doc: OutboxMessageDoc): void {
    this.observer.sendResult('failed');
    this.settle(doc);
    this.publishStatus(doc, 'failed');
  }

  /** A receipt moved the message on (delivered, read, played, or a late failure). */
  advanced(doc: OutboxMessageDoc, status: MessageStatusData['status']): void {
    this.settle(doc);
    this.publishStatus(doc, status);
  }

  cancelled(doc: OutboxMessageDoc): void {
    this.observer.sendResult('cancelled');
    this.settle(doc);
    this.publishStatus(doc, 'cancelled');
  }

  /** Several messages of one job were cancelled at once: one progress update, no per-message event flood. */
  jobChanged(jobId: string): void {
    this.jobChange(jobId);
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
    // most instances of a busy gateway have no subscriber for these: the events are not even built
    const wantsStatus = this.events.wants(doc.instance_id, 'message.status');
    const wantsAny = this.events.wants(doc.instance_id, 'message.any');
    if (!wantsStatus && !wantsAny) return;
    const events: DomainEvent[] = [];
    if (wantsStatus) events.push(messageStatusEvent(doc, 'sent'));
    if (wantsAny) events.push(outboundAnyEvent(doc, sentAt));
    if (wantsStatus && status !== 'sent') events.push(messageStatusEvent(doc, status));
    this.publish(doc.instance_id, events);
  }

  private publishStatus(doc: OutboxMessageDoc, status: MessageStatusData['status']): void {
    if (this.events.wants(doc.instance_id, 'message.status')) this.publish(doc.instance_id, [messageStatusEvent(doc, status)]);
  }

  private publish(instanceId: string, events: DomainEvent[]): void {
    this.events.publish(instanceId, events).catch((err) => this.log.error({ err, instance_id: instanceId }, 'could not publish outbox events'));
  }
}
