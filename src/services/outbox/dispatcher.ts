/**
 * One instance's dispatcher: claims due messages with a lease and a fencing
 * token, hands them to the engine, and records the outcome.
 *
 * - The WhatsApp id is generated and stored when a message is accepted, so
 *   a message re-sent after a crash or an expired lease carries the same id
 *   and WhatsApp shows it once.
 * - With pacing on (the default) messages go one at a time: a minimum
 *   interval plus jitter between sends, and a typing indicator scaled to the
 *   text. With pacing off, a batch is claimed at once and its chats are
 *   served in parallel, each chat still strictly in order.
 * - A claim lasts `leaseMs`; a message whose dispatcher died is claimable
 *   again once the lease expires (and at once after a restart on the
 *   single-process embedded store).
 * - It never polls: it sleeps until woken (new message, connection) or until
 *   the next message (or lease expiry) is due, found through the due-time
 *   index.
 */
import type { Logger } from '../../logger.js';
import { contentText } from '../../domain/content.js';
import { describeSendFailure, nextSendAllowedAt, REACH_OUT_TIMELOCK, retryDelayMs, typingDurationMs, type PacingPolicy, type ProgressStatus } from '../../domain/outbox.js';
import type { Random } from '../../domain/random.js';
import { EngineNotConnectedError, EngineSendError, type Engine } from '../../engines/engine.js';
import type { OutboxMessageDoc, OutboxRepo } from '../../store/repositories/outbox.js';
import type { EngineManager } from '../engine-manager.js';
import type { Ack, AckBuffer } from './ack-buffer.js';
import { toEngineContent, UnsendableError } from './engine-content.js';
import type { OutboxOutcomes } from './outcomes.js';
import type { OutboxPorts } from './outbox-ports.js';

export interface DispatcherOptions {
  repo: OutboxRepo;
  engines: EngineManager;
  ports: OutboxPorts;
  outcomes: OutboxOutcomes;
  acks: AckBuffer;
  pacing: PacingPolicy;
  leaseMs: number;
  maxAttempts: number;
  /** Longest sleep without re-checking the store (other processes may enqueue when the store is shared). */
  maxIdleMs: number;
  /** The store serves this process only (embedded): leases found at start-up are from a dead process. */
  singleProcessStore: boolean;
  clock: () => number;
  random: Random;
  log: Logger;
}

/** Messages claimed at once when pacing is off. */
const BATCH = 256;
/** setTimeout cannot wait longer than 2^31-1 ms; far schedules are re-checked hourly. */
const MAX_SLEEP_MS = 3600_000;

class SendTimeoutError extends Error {}

/** The document as markSentMany left it, without reading it back. */
function asRecorded(doc: OutboxMessageDoc, status: ProgressStatus, now: number): OutboxMessageDoc {
  const out: OutboxMessageDoc = { ...doc, status, sent_at: now, updated_at: now };
  delete out.dispatch_at;
  delete out.error;
  delete out.error_code;
  if (status !== 'sent') out.delivered_at = now;
  if (status === 'read' || status === 'played') out.read_at = now;
  if (status === 'played') out.played_at = now;
  return out;
}

export class InstanceDispatcher {
  private loop: Promise<void> | null = null;
  private stopped = false;
  private woken = false;
  private wakeSleeper: (() => void) | null = null;
  private nextAllowedAt = 0;
  private leasesChecked = false;

  constructor(
    readonly instanceId: string,
    private readonly o: DispatcherOptions,
  ) {}

  /** Something changed (new message, connection up): look at the queue now. */
  wake(): void {
    if (this.stopped) return;
    this.woken = true;
    this.wakeSleeper?.();
    if (!this.loop) this.loop = this.run().finally(() => (this.loop = null));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleeper?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      try {
        const engine = this.o.engines.get(this.instanceId);
        if (!engine || engine.status().status !== 'connected') {
          // the connection handler wakes us when the engine is back
          await this.sleep(this.o.maxIdleMs);
          continue;
        }
        const now = this.o.clock();
        if (now < this.nextAllowedAt) {
          await this.sleep(this.nextAllowedAt - now);
          continue;
        }
        const batch = await this.claim(this.o.pacing.enabled ? 1 : BATCH);
        if (batch.length === 0) {
          const next = await this.o.repo.nextDue(this.instanceId);
          await this.sleep(next === null ? this.o.maxIdleMs : next - this.o.clock());
          continue;
        }
        await this.sendBatch(engine, batch);
      } catch (err) {
        // a store hiccup must not kill the loop; back off briefly and go on
        this.o.log.error({ err, instance_id: this.instanceId }, 'outbox dispatcher iteration failed');
        await this.sleep(1000);
      }
    }
  }

  private async claim(n: number): Promise<OutboxMessageDoc[]> {
    const now = this.o.clock();
    if (!this.leasesChecked) {
      this.leasesChecked = true;
      if (this.o.singleProcessStore) {
        const r = await this.o.repo.expireLeases(this.instanceId, now);
        if (r.modified > 0) this.o.log.info({ instance_id: this.instanceId, count: r.modified }, 'outbox: re-sending messages a previous process was sending (same WhatsApp ids)');
      }
    }
    return this.o.repo.claim(this.instanceId, now, this.o.leaseMs, n);
  }

  private async sendBatch(engine: Engine, batch: OutboxMessageDoc[]): Promise<void> {
    const chats = new Map<string, OutboxMessageDoc[]>();
    for (const doc of batch) {
      const list = chats.get(doc.chat_jid);
      if (list) list.push(doc);
      else chats.set(doc.chat_jid, [doc]);
    }
    const acks: Ack[] = [];
    await Promise.all(
      [...chats.values()].map(async (docs) => {
        for (const doc of docs) {
          const ack = await this.sendOne(engine, doc);
          if (ack) acks.push(ack);
        }
      }),
    );
    await this.recordAcks(acks);
  }

  /** Hands one message to the engine; the accepted ones are recorded together by recordAcks. */
  private async sendOne(engine: Engine, doc: OutboxMessageDoc): Promise<Ack | null> {
    if (doc.attempts > this.o.maxAttempts) {
      await this.fail(doc, `gave up after ${this.o.maxAttempts} attempts${doc.error ? `: ${doc.error}` : ''}`, doc.error_code ?? 'max_attempts');
      return null;
    }
    try {
      const content = await toEngineContent(this.instanceId, doc.content, this.o.ports.media);
      await this.typing(engine, doc);
      await this.withTimeout(engine.send({ jid: doc.chat_jid, content, wa_message_id: doc.wa_message_id!, ...(doc.quoted ? { quoted: doc.quoted } : {}) }));
      return this.o.acks.add(doc);
    } catch (err) {
      await this.handleError(doc, err);
      return null;
    } finally {
      if (this.o.pacing.enabled) this.nextAllowedAt = nextSendAllowedAt(this.o.pacing, this.o.clock(), this.o.random);
    }
  }

  /**
   * Records the accepted messages: one statement per claim and final status
   * (receipts that arrived meanwhile included), all issued in one turn.
   */
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
    const written = await this.o.repo.markSentMany(ids, claimId, status, now);
    if (written === group.length) {
      for (const { doc } of group) this.o.outcomes.sent(asRecorded(doc, status, now));
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
      await this.o.repo.requeue(doc._id, doc.claim_id!, now, doc.schedule_at ?? doc.created_at, null, null, true);
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
    await this.o.repo.requeue(doc._id, doc.claim_id!, now, now + retryDelayMs(doc.attempts, this.o.random), message, code, false);
  }

  private async fail(doc: OutboxMessageDoc, error: string, code: string | null): Promise<void> {
    const failed = await this.o.repo.markFailed(doc._id, doc.claim_id!, this.o.clock(), error, code);
    if (failed) this.o.outcomes.failed(failed);
  }

  /**
   * A send that hangs past half the lease is abandoned and retried; the
   * retry reuses the WhatsApp id, so if the first one did get through,
   * WhatsApp still shows the message once.
   */
  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = Math.max(1000, Math.floor(this.o.leaseMs / 2));
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SendTimeoutError(`the engine did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.min(ms, MAX_SLEEP_MS));
      timer.unref();
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeSleeper = null;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}
