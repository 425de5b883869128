/**
 * Instance ownership across the nodes sharing one store. Each renew tick
 * this node:
 *
 * 1. writes its heartbeat;
 * 2. renews its leases in one statement, then reads which it still holds:
 *    a lease it lost (it was frozen past the expiry, and another node took
 *    the instance) is dropped at once, and its engine stopped;
 * 3. takes free instances up to its even share, or gives its surplus up
 *    when a node has room (domain/spread.ts): the engine is closed first,
 *    then the lease released, so the next owner opens it after.
 *
 * A lease is valid here until the time it was last written minus nothing
 * else: the renewal's `now` is taken before the write, so this node stops
 * counting on it no later than the store lets another node take it.
 * Every engine access checks holds(), so a node that wakes up after its
 * leases ran out sends nothing, before its first tick even runs.
 */
import type { Logger } from '../../logger.js';
import type { EngineKind } from '../../engines/engine.js';
import { planSpread } from '../../domain/spread.js';
import { fencingToken } from '../../store/lease.js';
import type { HeldLease, InstanceLeasesRepo } from '../../store/repositories/instance-leases.js';
import type { NodesRepo } from '../../store/repositories/nodes.js';
import { NotFoundError } from '../errors.js';
import type { Worker } from '../interval-worker.js';
import { OwnedElsewhereError, type Placement } from './placement.js';

export interface OwnershipOptions {
  nodeId: string;
  /** Where other nodes reach this one (known once it listens). */
  url: () => string;
  leases: InstanceLeasesRepo;
  nodes: NodesRepo;
  /** The engine kinds this node can run. */
  kinds: EngineKind[];
  leaseMs: number;
  renewMs: number;
  clock: () => number;
  log: Logger;
}

/** What the app does when instances come or go (app.ts wires it). */
export interface OwnershipHandlers {
  /** Newly owned: resume them (reconnect, re-send what the last owner left claimed). */
  acquired(instanceIds: string[]): Promise<void>;
  /** To hand over (spread) or already lost: stop the engine and forget what is kept for them. */
  leaving(instanceIds: string[]): Promise<void>;
}

interface Held {
  token: string;
  /** This node counts on the lease until then. */
  validUntil: number;
}

/** Tries of a claim that met a row being written. */
const CLAIM_ATTEMPTS = 4;
/** Instances handed over per tick at most. */
const MAX_MOVES = 5;

export class Ownership implements Placement, Worker {
  readonly name = 'cluster-ownership';
  readonly nodeId: string;
  private readonly held = new Map<string, Held>();
  private readonly startedAt: number;
  private handlers: OwnershipHandlers = { acquired: async () => {}, leaving: async () => {} };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private rounds = 0;

  constructor(private readonly o: OwnershipOptions) {
    this.nodeId = o.nodeId;
    this.startedAt = o.clock();
  }

  handle(handlers: OwnershipHandlers): void {
    this.handlers = handlers;
  }

  holds(instanceId: string): boolean {
    const h = this.held.get(instanceId);
    return h !== undefined && h.validUntil > this.o.clock();
  }

  runningHere(): string[] {
    const now = this.o.clock();
    return [...this.held.entries()].filter(([, h]) => h.validUntil > now).map(([id]) => id);
  }

  token(instanceId: string): string | null {
    // null would mean "no fence": an instance not held here gets a token no lease carries, so its writes miss
    return this.held.get(instanceId)?.token ?? 'not-held';
  }

  /** Instances this node holds now. */
  count(): number {
    return this.held.size;
  }

  async claim(instanceId: string): Promise<void> {
    const now = this.o.clock();
    const h = this.held.get(instanceId);
    if (h && h.validUntil - now > this.o.renewMs) return;
    const token = h?.token ?? fencingToken();
    // a claim skips a row another node is writing at that moment: look at who holds it, and try again when nobody does
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const at = this.o.clock();
      if (await this.o.leases.claim(instanceId, this.nodeId, token, at, at + this.o.leaseMs)) {
        this.held.set(instanceId, { token, validUntil: at + this.o.leaseMs });
        return;
      }
      this.held.delete(instanceId);
      const holder = await this.o.leases.holder(instanceId, at);
      if (holder) throw new OwnedElsewhereError(instanceId, holder.node);
      if (!(await this.o.leases.exists(instanceId))) throw new NotFoundError('instance');
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
    throw new OwnedElsewhereError(instanceId, null);
  }

  async release(instanceId: string): Promise<void> {
    const h = this.held.get(instanceId);
    if (!h) return;
    this.held.delete(instanceId);
    await this.o.leases.release(instanceId, h.token);
  }

  /** The first round runs before start() returns: the node owns its share once it listens. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.round();
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      this.running = this.round()
        .catch((err) => this.o.log.warn({ err }, 'cluster: ownership round failed; next round in a moment'))
        .finally(() => (this.running = null));
    }, this.o.renewMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Leaving the cluster: every lease released (engines are closed by then) and the node forgotten, so others take over at once. */
  async leave(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.release(id)));
    await this.o.nodes.remove(this.nodeId);
  }

  /** One tick: heartbeat, renewal, spread. */
  async round(): Promise<void> {
    const now = this.o.clock();
    await this.o.nodes.heartbeat({ _id: this.nodeId, url: this.o.url(), started_at: this.startedAt, instances: this.held.size }, now);
    const mine = await this.renew(now);
    if (this.stopped) return;
    const live = await this.o.nodes.live(now, this.o.leaseMs);
    const wanting = await this.o.leases.countWanting(this.o.kinds);
    const others = live.filter((n) => n._id !== this.nodeId).map((n) => n.instances);
    const plan = planSpread({ wanting, mine: this.held.size, others, maxMoves: MAX_MOVES });
    if (plan.take > 0) await this.take(plan.take);
    if (plan.give > 0) await this.give(plan.give, mine);
    if (++this.rounds % 100 === 0) await this.o.nodes.forgetDead(now);
  }

  /** Renews what this node holds, and stops what it lost; the leases it still holds, as the store has them. */
  private async renew(now: number): Promise<HeldLease[]> {
    const tokens = [...this.held.values()].map((h) => h.token);
    await this.o.leases.renew(this.nodeId, tokens, now, now + this.o.leaseMs);
    const mine = await this.o.leases.heldBy(this.nodeId, now);
    const still = new Map(mine.map((l) => [l.instanceId, l.token]));
    const lost: string[] = [];
    for (const [id, h] of this.held) {
      if (still.get(id) === h.token) h.validUntil = Math.max(h.validUntil, now + this.o.leaseMs);
      else lost.push(id);
    }
    if (lost.length === 0) return mine;
    for (const id of lost) this.held.delete(id);
    this.o.log.warn({ instances: lost }, 'cluster: leases lost (this node was too slow to renew them); their engines stop here');
    await this.handlers.leaving(lost);
    return mine;
  }

  private async take(n: number): Promise<void> {
    const free = await this.o.leases.unowned(this.o.clock(), this.o.kinds, n);
    const taken: string[] = [];
    for (const id of free) {
      try {
        await this.claim(id);
        taken.push(id);
      } catch (err) {
        // another node was quicker
        if (!(err instanceof OwnedElsewhereError || err instanceof NotFoundError)) throw err;
      }
    }
    if (taken.length === 0) return;
    this.o.log.info({ instances: taken.length }, 'cluster: instances taken over');
    await this.handlers.acquired(taken);
  }

  /** Hands connected instances over: the engine closes, then the lease goes. */
  private async give(n: number, mine: HeldLease[]): Promise<void> {
    const moving = mine.filter((l) => l.status === 'connected' && this.held.get(l.instanceId)?.token === l.token).slice(0, n).map((l) => l.instanceId);
    if (moving.length === 0) return;
    await this.handlers.leaving(moving);
    await Promise.all(moving.map((id) => this.release(id)));
    this.o.log.info({ instances: moving.length }, 'cluster: instances handed over to spread the load');
  }
}
