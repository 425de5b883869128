/**
 * The sending half of an instance's dispatcher: hands a batch of claimed
 * messages to the engine — each chat strictly in order, different chats in
 * parallel — and writes the accepted ones' outcomes together.
 *
 * Writing a batch's outcomes overlaps with sending the next batch: the
 * writes wait for a commit, and a chat's order only depends on the order of
 * sends. A few batches at most, so a slow store still holds sending back.
 * (Writing per event-loop turn instead of per batch, to shorten how long a
 * reply lives, was measured: more, smaller statements cost more CPU than
 * the shorter lifetimes saved in garbage collection.)
 */
import type { Logger } from '../../logger.js';
import { contentText } from '../../domain/content.js';
import { describeSendFailure, REACH_OUT_TIMELOCK, retryDelayMs, typingDurationMs, type PacingPolicy } from '../../domain/outbox.js';
import type { Random } from '../../domain/random.js';
import { EngineNotConnectedError, EngineSendError, type Engine } from '../../engines/engine.js';
import type { OutboxMessageDoc, OutboxRepo } from '../../store/repositories/outbox.js';
import type { MediaIntake } from '../ports.js';
import type { Ack, AckBuffer } from './ack-buffer.js';
import { toEngineContent, UnsendableError } from './engine-content.js';
import type { OutboxOutcomes } from './outcomes.js';

/** Batches whose outcomes may still be being written while the next one is sent. */
const MAX_RECORDING = 4;

class SendTimeoutError extends Error {}

export interface BatchSenderOptions {
  repo: OutboxRepo;
  /** Stored media is loaded as bytes at send time. */
  media: MediaIntake;
  outcomes: OutboxOutcomes;
  acks: AckBuffer;
  pacing: PacingPolicy;
  leaseMs: number;
  maxAttempts: number;
  clock: () => number;
  random: Random;
  log: Logger;
}

export interface BatchSenderHooks {
  /** A message went back in line, due at `until`: the dispatcher must look at the store by then. */
  lower(until: number): void;
  /** A send ended (paced dispatchers space the next one from here). */
  afterSend(): void;
}

export class BatchSender {
  /** Outcome writes of earlier batches still in progress (sending does not wait for them). */
  private readonly recording = new Set<Promise<void>>();

  constructor(
    private readonly instanceId: string,
    private readonly o: BatchSenderOptions,
    private readonly hooks: BatchSenderHooks,
  ) {}

  /** Resolves once every message of the batch got the engine's answer and at most a few batches' outcomes are still being written. */
  async send(engine: Engine, batch: OutboxMessageDoc[]): Promise<void> {
    const chats = new Map<string, OutboxMessageDoc[]>();
    for (const doc of batch) {
      const list = chats.get(doc.chat_jid);
      if (list) list.push(doc);
      else chats.set(doc.chat_jid, [doc]);
    }
    const acks: Ack[] = [];
    const deadline = this.deadline();
    try {
      await Promise.all(
        [...chats.values()].map(async (docs) => {
          for (const doc of docs) {
            const ack = await this.sendOne(engine, doc, deadline);
            if (ack) acks.push(ack);
          }
        }),
      );
    } finally {
      deadline.cancel();
    }
    const write = this.recordAcks(acks).catch((err: unknown) => {
      // a message whose outcome is not written stays claimed; its lease brings it back, under the same WhatsApp id
      this.o.log.error({ err, instance_id: this.instanceId }, 'outbox: recording sent messages failed');
    });
    this.recording.add(write);
    void write.finally(() => this.recording.delete(write));
    if (this.recording.size >= MAX_RECORDING) await Promise.race(this.recording);
  }

  /** Resolves once every outcome write in progress is done. */
  async drain(): Promise<void> {
    await Promise.all(this.recording);
  }

  /** Hands one message to the engine; the accepted ones are recorded together by recordAcks. */
  private async sendOne(engine: Engine, doc: OutboxMessageDoc, deadline: Deadline): Promise<Ack | null> {
    if (doc.attempts > this.o.maxAttempts) {
      await this.fail(doc, `gave up after ${this.o.maxAttempts} attempts${doc.error ? `: ${doc.error}` : ''}`, doc.error_code ?? 'max_attempts');
      return null;
    }
    try {
      const content = await toEngineContent(this.instanceId, doc.content, this.o.media);
      await this.typing(engine, doc);
      await Promise.race([engine.send({ jid: doc.chat_jid, content, wa_message_id: doc.wa_message_id!, ...(doc.quoted ? { quoted: doc.quoted } : {}) }), deadline.reached()]);
      return this.o.acks.add(doc);
    } catch (err) {
      await this.handleError(doc, err);
      return null;
    } finally {
      this.hooks.afterSend();
    }
  }

  /** One statement per claim and final status (receipts that arrived meanwhile included), all issued in one turn. */
  private async recordAcks(acks: Ack[]): Promise<void> {
    if (acks.length === 0) return;
    // one loop turn lets receipts the engine emits right after accepting (the sandbox does) merge into this write
    await new Promise((resolve) => setImmediate(resolve));
    const now = this.o.clock();
    const groups = new Map<string, Ack[]>();
    const writes: Promise<void>[] = [];
    for (const ack of acks) {
      this.o.acks.remove(ack);
      if (ack.failedCode !== null) {
        const code = ack.failedCode || 'failed';
        writes.push(this.fail(ack.doc, describeSendFailure(code, `WhatsApp reported the message as failed (error ${code})`), code));
        continue;
      }
      const key = `${ack.doc.claim_id}\u0000${ack.status}`;
      const group = groups.get(key);
      if (group) group.push(ack);
      else groups.set(key, [ack]);
    }
    for (const group of groups.values()) writes.push(this.recordGroup(group, now));
    await Promise.all(writes);
  }

  private async recordGroup(group: Ack[], now: number): Promise<void> {
    const { status } = group[0];
    const claimId = group[0].doc.claim_id!;
    const ids = group.map((a) => a.doc._id);
    const withErrors = group.some(({ doc }) => doc.error !== undefined || doc.error_code !== undefined);
    const written = await this.o.repo.markSentMany(ids, claimId, status, now, withErrors);
    if (written === group.length) {
      for (const { doc } of group) this.o.outcomes.sentAs(doc, status, now);
      return;
    }
    // some were not ours to write any more: see what each one is now
    for (const doc of await this.o.repo.byIds(ids)) {
      if (doc.claim_id === claimId && doc.status === status && doc.sent_at === now) {
        this.o.outcomes.sent(doc);
      } else if (doc.claim_id === claimId && doc.sent_at === undefined && ['sent', 'delivered', 'read', 'played'].includes(doc.status)) {
        // a receipt overtook the engine's answer
        const released = await this.o.repo.releaseAfterReceipt(doc._id, claimId, now);
        if (released) this.o.outcomes.sent(released);
      } else if (doc.claim_id !== claimId) {
        this.o.log.warn({ instance_id: this.instanceId, message_id: doc._id }, 'send finished after its lease was taken over; the newer claim decides');
      }
    }
  }

  private async typing(engine: Engine, doc: OutboxMessageDoc): Promise<void> {
    const ms = typingDurationMs(this.o.pacing, contentText(doc.content));
    if (ms === 0) return;
    try {
      await engine.sendPresence(doc.chat_jid, 'composing');
    } catch (err) {
      // the indicator is a courtesy; the message still goes
      this.o.log.debug({ err, instance_id: this.instanceId }, 'typing indicator failed');
      return;
    }
    await new Promise((r) => setTimeout(r, ms).unref());
  }

  private async handleError(doc: OutboxMessageDoc, err: unknown): Promise<void> {
    const now = this.o.clock();
    if (err instanceof EngineNotConnectedError) {
      // not the message's fault: back in line at its original place, attempt refunded
      const due = doc.schedule_at ?? doc.created_at;
      this.hooks.lower(due);
      await this.o.repo.requeue(doc._id, doc.claim_id!, now, due, null, null, true);
      return;
    }
    if (err instanceof UnsendableError) return this.fail(doc, err.message, 'unsendable');
    if (err instanceof EngineSendError) {
      if (err.code === REACH_OUT_TIMELOCK) return this.fail(doc, describeSendFailure(err.code, err.message), REACH_OUT_TIMELOCK);
      if (!err.retryable) return this.fail(doc, err.message, err.code ?? 'rejected');
    } else if (!(err instanceof SendTimeoutError)) {
      this.o.log.error({ err, instance_id: this.instanceId, message_id: doc._id }, 'unexpected error while sending; will retry');
    }
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof EngineSendError ? (err.code ?? null) : err instanceof SendTimeoutError ? 'timeout' : 'error';
    if (doc.attempts >= this.o.maxAttempts) return this.fail(doc, `gave up after ${doc.attempts} attempts: ${message}`, code);
    const retryAt = now + retryDelayMs(doc.attempts, this.o.random);
    this.hooks.lower(retryAt);
    await this.o.repo.requeue(doc._id, doc.claim_id!, now, retryAt, message, code, false);
  }

  private async fail(doc: OutboxMessageDoc, error: string, code: string | null): Promise<void> {
    const failed = await this.o.repo.markFailed(doc._id, doc.claim_id!, this.o.clock(), error, code);
    if (failed) this.o.outcomes.failed(failed);
  }

  private deadline(): Deadline {
    return new Deadline(Math.max(1000, Math.floor(this.o.leaseMs / 2)));
  }
}

/**
 * A send that hangs past half the lease is abandoned and retried; the retry
 * reuses the WhatsApp id, so if the first one did get through, WhatsApp
 * still shows the message once. One timer per batch rather than per send:
 * the batch was claimed at once, so its sends share one lease. It starts at
 * the batch's first send, after any typing indicator (paced batches hold
 * one message).
 */
class Deadline {
  private promise: Promise<never> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {}

  reached(): Promise<never> {
    if (!this.promise) {
      this.promise = new Promise<never>((_, reject) => {
        this.timer = setTimeout(() => reject(new SendTimeoutError(`the engine did not answer within ${this.ms} ms`)), this.ms);
      });
      // nobody may be racing it any more when it fires
      this.promise.catch(() => {});
    }
    return this.promise;
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
