/**
 * The dispatchers of this process, one per instance, plus what keeps the
 * queue healthy around them:
 *
 * - connection events wake an instance's dispatcher, so messages queued
 *   while it was offline (or that became due during downtime) go out as
 *   soon as it is connected — including at start-up;
 * - receipts from the engine advance message statuses.
 *
 * Expired leases need no sweeper: the lease expiry is the message's
 * dispatch_at, so the ordinary claim picks such messages up again — adopted
 * bot replies (stored already claimed, see InstanceDispatcher.offer) too.
 */
import type { Logger } from '../../logger.js';
import type { Receipt } from '../../engines/engine.js';
import { describeSendFailure, type PacingPolicy } from '../../domain/outbox.js';
import type { Random } from '../../domain/random.js';
import type { Store } from '../../store/port.js';
import type { OutboxMessageDoc, OutboxRepo } from '../../store/repositories/outbox.js';
import type { EngineHub } from '../engine-hub.js';
import type { EngineManager } from '../engine-manager.js';
import type { Worker } from '../interval-worker.js';
import { AckBuffer } from './ack-buffer.js';
import { InstanceDispatcher, type AdoptionTicket, type DispatcherOptions } from './dispatcher.js';
import type { OutboxOutcomes } from './outcomes.js';
import type { OutboxPorts } from './outbox-ports.js';

export interface DispatchPoolOptions {
  store: Store;
  repo: OutboxRepo;
  engines: EngineManager;
  hub: EngineHub;
  ports: OutboxPorts;
  outcomes: OutboxOutcomes;
  pacing: PacingPolicy;
  leaseMs: number;
  maxAttempts: number;
  clock: () => number;
  random: Random;
  log: Logger;
}

export class DispatchPool implements Worker {
  readonly name = 'outbox-dispatch';
  private readonly dispatchers = new Map<string, InstanceDispatcher>();
  private readonly acks = new AckBuffer();
  private readonly options: DispatcherOptions;
  private started = false;

  constructor(private readonly o: DispatchPoolOptions) {
    // A shared store means other processes can enqueue for our instances without waking us: re-check every few seconds.
    const maxIdleMs = o.store.kind === 'mongodb' ? 5000 : 3600_000;
    this.options = { ...o, acks: this.acks, maxIdleMs, singleProcessStore: o.store.kind === 'embedded' };
    o.hub.on('connection', (instanceId, update) => {
      if (update.status === 'connected') this.wake(instanceId);
    });
    o.hub.on('receipt', (instanceId, receipts) => this.applyReceipts(instanceId, receipts));
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
   * A ticket to store messages already claimed by the instance's running
   * dispatcher (see InstanceDispatcher.offer); null when they must be
   * queued — including before its first look at the queue, which a queued
   * message's wake brings about.
   */
  offerAdoption(instanceId: string, now: number): AdoptionTicket | null {
    if (!this.started) return null;
    return this.dispatchers.get(instanceId)?.offer(now) ?? null;
  }

  /** Hands messages stored under `ticket` to its dispatcher (none when the insert failed). */
  adopt(ticket: AdoptionTicket, docs: OutboxMessageDoc[]): void {
    ticket.dispatcher.adopt(ticket, docs);
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

  private async applyReceipts(instanceId: string, receipts: Receipt[]): Promise<void> {
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
