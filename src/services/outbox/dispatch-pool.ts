/**
 * The dispatchers of this process, one per instance, plus what keeps the
 * queue healthy around them:
 *
 * - submit() stores new messages and queues them, taking the shortcut past
 *   the queue when the instance's dispatcher can send them at once;
 * - a connection coming up wakes the instance's dispatcher (connected()),
 *   so messages queued while it was offline, or that became due during
 *   downtime, go out as soon as it is connected — including at start-up;
 * - receipts from the engine advance message statuses (applyReceipts()).
 *
 * Expired leases need no sweeper: the lease expiry is the message's
 * dispatch_at, so the ordinary claim picks such messages up again — adopted
 * messages (stored already claimed, see InstanceDispatcher.offer) too.
 */
import type { ConnectionUpdate, Receipt } from '../../engines/engine.js';
import { describeSendFailure } from '../../domain/outbox.js';
import { claimInPlace, type OutboxMessageDoc } from '../../store/repositories/outbox.js';
import type { Worker } from '../interval-worker.js';
import { AckBuffer } from './ack-buffer.js';
import { InstanceDispatcher, type AdoptionTicket, type DispatcherOptions } from './dispatcher.js';

export interface DispatchPoolOptions extends Omit<DispatcherOptions, 'acks' | 'maxIdleMs' | 'singleProcessStore'> {
  /** Other processes share the store: they may enqueue for our instances without waking us, and hold leases of their own. */
  sharedStore: boolean;
}

export class DispatchPool implements Worker {
  readonly name = 'outbox-dispatch';
  private readonly dispatchers = new Map<string, InstanceDispatcher>();
  private readonly acks = new AckBuffer();
  private readonly options: DispatcherOptions;
  private started = false;

  constructor(private readonly o: DispatchPoolOptions) {
    // a shared store gets messages from other processes without a wake: re-check every few seconds
    const maxIdleMs = o.sharedStore ? 5000 : 3600_000;
    this.options = { ...o, acks: this.acks, maxIdleMs, singleProcessStore: !o.sharedStore };
  }

  /** Looks at the instance's queue now (the dispatcher is created on first use). */
  wake(instanceId: string): void {
    // instances connect (and wake us) once the workers have started; nothing is sent during shutdown
    if (!this.started) return;
    let d = this.dispatchers.get(instanceId);
    if (!d) {
      d = new InstanceDispatcher(instanceId, this.options);
      this.dispatchers.set(instanceId, d);
    }
    d.wake();
  }

  /**
   * Stores new messages of the instance with `write`, and queues them.
   * When the instance's dispatcher can send them at once (pacing off,
   * engine connected) the waiting ones are claimed in place under its lease
   * before `write` stores them, and handed to it in memory once stored: no
   * claim write, no wake-up. Otherwise they are stored as they are and the
   * dispatcher is woken. `write` runs in the caller's event-loop turn; the
   * documents are the caller's, just built: claiming changes them.
   */
  async submit(instanceId: string, docs: OutboxMessageDoc[], write: () => Promise<unknown>): Promise<void> {
    const ticket = docs.some((d) => d.status === 'queued') ? this.offerAdoption(instanceId, this.o.clock()) : null;
    if (ticket) for (const d of docs) if (d.status === 'queued') claimInPlace(d, ticket.lease, ticket.now);
    try {
      await write();
    } catch (err) {
      // the lease was granted: the dispatcher must hear that nothing came of it
      ticket?.dispatcher.adopt(ticket, []);
      throw err;
    }
    if (ticket) ticket.dispatcher.adopt(ticket, docs.filter((d) => d.status === 'sending'));
    else if (docs.length > 0) this.wake(instanceId);
  }

  /**
   * A ticket to store messages already claimed by the instance's running
   * dispatcher (see InstanceDispatcher.offer); null when they must be
   * queued — including before its first look at the queue, which a queued
   * message's wake brings about.
   */
  offerAdoption(instanceId: string, now: number): AdoptionTicket | null {
    if (!this.started) return null;
    return this.dispatchers.get(instanceId)?.offer(now) ?? null;
  }

  /** An engine connection changed: once it is up, what waited for it goes out. */
  connected(instanceId: string, update: ConnectionUpdate): void {
    if (update.status === 'connected') this.wake(instanceId);
  }

  /**
   * This node just took the instance over from another: what the last owner
   * had claimed is due again at once (it can no longer send: its lease is
   * gone), under the same WhatsApp ids; the dispatcher sends once connected.
   */
  async recover(instanceId: string): Promise<void> {
    const r = await this.o.repo.expireLeases(instanceId, this.o.clock());
    if (r.modified > 0) this.o.log.info({ instance_id: instanceId, count: r.modified }, 'outbox: re-sending messages the previous owner node was sending (same WhatsApp ids)');
    this.wake(instanceId);
  }

  async remove(instanceId: string): Promise<void> {
    const d = this.dispatchers.get(instanceId);
    this.dispatchers.delete(instanceId);
    await d?.stop();
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.dispatchers.values()].map((d) => d.stop()));
    this.dispatchers.clear();
  }

  /** Receipts from the engine: each advances its message (or merges into a send whose outcome is not written yet). */
  async applyReceipts(instanceId: string, receipts: Receipt[]): Promise<void> {
    const now = this.o.clock();
    await Promise.all(
      receipts.map(async (r) => {
        if (this.acks.offer(instanceId, r)) return;
        const status = r.status;
        const error = status === 'failed' ? describeSendFailure(r.error_code, `WhatsApp reported the message as failed${r.error_code ? ` (error ${r.error_code})` : ''}`) : null;
        const doc = await this.o.repo.applyReceipt(instanceId, r.wa_message_id, status, now, r.error_code ?? null, error);
        if (doc) this.o.outcomes.advanced(doc, status);
      }),
    );
  }
}
