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
 *   again once the lease expires (and at once after a restart, on a store
 *   not shared across processes).
 * - It never polls: it sleeps until woken (new message, connection) or until
 *   the next message (or lease expiry) is due, found through the due-time
 *   index.
 * - Adoption (pacing off, engine connected): a bot reply is stored already
 *   claimed — under this dispatcher's fencing token, with a lease — and
 *   handed over in memory, which saves the claim's write. See offer().
 */
import { nextSendAllowedAt } from '../../domain/outbox.js';
import type { Engine } from '../../engines/engine.js';
import { fencingToken, type Lease } from '../../store/lease.js';
import type { Claimed, OutboxMessageDoc } from '../../store/repositories/outbox.js';
import type { EngineManager } from '../engine-manager.js';
import { BatchSender, type BatchSenderOptions } from './batch-sender.js';

export interface DispatcherOptions extends BatchSenderOptions {
  engines: EngineManager;
  /** Longest sleep without re-checking the store (other processes may enqueue when the store is shared). */
  maxIdleMs: number;
  /** The store serves this process only: leases found at start-up are from a dead process. */
  singleProcessStore: boolean;
}

/** Messages claimed at once when pacing is off. */
const BATCH = 256;
/** Adopted replies held at most, and sent as one batch (a batch costs a few loop turns whatever its size); past it they wait in the store. */
const MAX_HELD = 32 * BATCH;
/** setTimeout cannot wait longer than 2^31-1 ms; far schedules are re-checked hourly. */
const MAX_SLEEP_MS = 3600_000;

/** What offer() grants: store the replies claimed under `lease` (claimInPlace), then hand them to adopt(). */
export interface AdoptionTicket {
  readonly lease: Lease;
  readonly now: number;
  /** The dispatcher that granted it (and takes the replies even if it was stopped meanwhile, to put them back). */
  readonly dispatcher: InstanceDispatcher;
}

export class InstanceDispatcher {
  private loop: Promise<void> | null = null;
  private stopped = false;
  private woken = false;
  private wakeSleeper: (() => void) | null = null;
  private nextAllowedAt = 0;
  private leasesChecked = false;
  /** Adopted replies not yet handed to the engine, in the order they were accepted, each with its place in the queue. */
  private adopted: Claimed[] = [];
  private readonly sender: BatchSender;
  /** Whether the last claim took as many as it asked for (more is probably due). */
  private claimWasFull = false;
  /** Until then the store holds nothing due that is not in our hands (0: unknown), so adopted replies go without asking it. */
  private quietUntil = 0;
  /** The lowest of those lowerings since the running store check began. */
  private loweredTo = Infinity;
  /** Fencing needs a token no earlier claim of the document had: each adopted reply gets this one once, at insert, so one statement records a batch. */
  private readonly adoptionToken = fencingToken();

  constructor(
    readonly instanceId: string,
    private readonly o: DispatcherOptions,
  ) {
    this.sender = new BatchSender(instanceId, o, {
      lower: (until) => this.lower(until),
      afterSend: () => {
        if (this.o.pacing.enabled) this.nextAllowedAt = nextSendAllowedAt(this.o.pacing, this.o.clock(), this.o.random);
      },
    });
  }

  /** Something changed (new message, connection up): look at the queue now. */
  wake(): void {
    if (this.stopped) return;
    this.lower(0);
    this.kick();
  }

  /**
   * Whether a bot reply may skip the queue: pacing off (paced sends each
   * wait their turn), engine connected, start-up lease recovery done (it
   * would requeue the reply under our feet), room in memory. The caller
   * stores the replies claimed under the ticket's lease, then calls
   * adopt() — also when the insert failed: the lease runs from here.
   */
  offer(now: number): AdoptionTicket | null {
    if (this.stopped || this.o.pacing.enabled || !this.leasesChecked || this.adopted.length >= MAX_HELD) return null;
    if (this.o.engines.get(this.instanceId)?.status().status !== 'connected') return null;
    const lease = { token: this.adoptionToken, until: now + this.o.leaseMs };
    // should the send not be recorded in time, the store is looked at again when the lease runs out
    this.lower(lease.until);
    return { lease, now, dispatcher: this };
  }

  /** Takes over replies stored claimed under `ticket`, for the next batch (empty when the insert failed). */
  adopt(ticket: AdoptionTicket, docs: OutboxMessageDoc[]): void {
    this.lower(ticket.lease.until);
    if (docs.length === 0) return;
    const held = docs.map((doc) => ({ doc, due: doc.schedule_at ?? doc.created_at }));
    if (this.stopped) {
      void this.release(held);
      return;
    }
    for (const h of held) this.adopted.push(h);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleeper?.();
    await this.loop;
    await this.sender.drain();
    // the lease would bring them back too, but only after it runs out
    if (this.adopted.length > 0) await this.release(this.adopted.splice(0));
  }

  private kick(): void {
    this.woken = true;
    this.wakeSleeper?.();
    if (!this.loop) this.loop = this.run().finally(() => (this.loop = null));
  }

  private lower(until: number): void {
    if (until < this.loweredTo) this.loweredTo = until;
    if (until >= this.quietUntil) return;
    this.quietUntil = until;
    // a sleep already running was measured to the old time
    this.wakeSleeper?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      try {
        const engine = this.o.engines.get(this.instanceId);
        if (!engine || engine.status().status !== 'connected') {
          // adopted replies go back in line at their place; the connection handler wakes us when the engine is back
          if (this.adopted.length > 0) await this.release(this.adopted.splice(0));
          await this.sleep(this.o.maxIdleMs);
          continue;
        }
        const now = this.o.clock();
        if (now < this.nextAllowedAt) {
          await this.sleep(this.nextAllowedAt - now);
          continue;
        }
        if (now < this.quietUntil) {
          // nothing in the store comes before the adopted replies
          if (this.adopted.length > 0) await this.sender.send(engine, this.adopted.splice(0, MAX_HELD).map((h) => h.doc));
          else await this.sleep(this.quietUntil - now);
          continue;
        }
        const batch = await this.check(now);
        if (batch.length === 0) continue;
        // a full claim means more is due: claim it while this batch is sent (it is sent after this one, so order holds)
        if (this.claimWasFull && !this.o.pacing.enabled) await this.sendWhileClaiming(engine, batch);
        else await this.sender.send(engine, batch);
      } catch (err) {
        // a store hiccup must not kill the loop; back off briefly and go on
        this.o.log.error({ err, instance_id: this.instanceId }, 'outbox dispatcher iteration failed');
        await this.sleep(1000);
      }
    }
  }

  /**
   * Claims what is due in the store, merged in queue order with the adopted
   * replies that come before the claim's horizon; when nothing was due,
   * learns until when the store stays quiet.
   */
  private async check(now: number): Promise<OutboxMessageDoc[]> {
    this.loweredTo = Infinity;
    const limit = this.o.pacing.enabled ? 1 : BATCH;
    const claimed = await this.claim(now, limit);
    this.claimWasFull = claimed.length === limit;
    if (claimed.length === 0) {
      const next = await this.o.repo.nextDue(this.instanceId);
      // a shared store gets messages from other processes without a wake: look again within maxIdleMs
      this.quietUntil = Math.min(next ?? Infinity, this.o.clock() + this.o.maxIdleMs, this.loweredTo);
    }
    if (this.adopted.length === 0) return claimed.map((c) => c.doc);
    // a full claim may have left messages due up to its last one behind; otherwise everything due at `now` was taken
    return this.merge(claimed, claimed.length === limit ? claimed[limit - 1].due - 1 : now);
  }

  /** The claimed messages and the adopted replies due by `horizon`, in the order one queue would have served them. */
  private merge(claimed: Claimed[], horizon: number): OutboxMessageDoc[] {
    const taken = new Set(claimed.map((c) => c.doc._id));
    const merged: Claimed[] = [...claimed];
    const kept: Claimed[] = [];
    for (const h of this.adopted) {
      // its lease ran out while it waited and the claim took it again: the newer claim sends it
      if (taken.has(h.doc._id)) continue;
      if (h.due <= horizon && merged.length < claimed.length + MAX_HELD) merged.push(h);
      else kept.push(h);
    }
    this.adopted = kept;
    // stable: on a tie the claimed message, already in the store first, goes first
    return merged.sort((a, b) => a.due - b.due).map((h) => h.doc);
  }

  private async claim(now: number, n: number): Promise<Claimed[]> {
    if (!this.leasesChecked) {
      if (this.o.singleProcessStore) {
        const r = await this.o.repo.expireLeases(this.instanceId, now);
        if (r.modified > 0) this.o.log.info({ instance_id: this.instanceId, count: r.modified }, 'outbox: re-sending messages a previous process was sending (same WhatsApp ids)');
      }
      this.leasesChecked = true;
    }
    return this.o.repo.claim(this.instanceId, now, this.o.leaseMs, n);
  }

  /** Puts messages held here back in the queue at their place, the attempt refunded. */
  private async release(held: Claimed[]): Promise<void> {
    this.lower(0);
    const now = this.o.clock();
    try {
      await Promise.all(held.map(({ doc, due }) => this.o.repo.requeue(doc._id, doc.claim_id!, now, due, null, null, true)));
    } catch (err) {
      this.o.log.warn({ err, instance_id: this.instanceId }, 'outbox: could not put adopted replies back in the queue; their lease brings them back');
    }
  }

  /**
   * Sends a full batch while the next claim runs, then the claimed ones, and
   * so on while claims come back full: with the store on another thread a
   * claim is two round trips, which would otherwise sit between batches.
   */
  private async sendWhileClaiming(engine: Engine, first: OutboxMessageDoc[]): Promise<void> {
    let batch = first;
    while (batch.length > 0) {
      const next = this.claimWasFull && !this.stopped ? this.check(this.o.clock()) : null;
      // the claim's failure is reported below, once this batch is out
      next?.catch(() => {});
      await this.sender.send(engine, batch);
      if (!next) return;
      batch = await next;
      if (this.stopped) {
        // claimed but not sent: back in line at once instead of after the lease
        await this.release(batch.map((doc) => ({ doc, due: doc.schedule_at ?? doc.created_at })));
        return;
      }
    }
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
