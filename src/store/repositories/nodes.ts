/**
 * The nodes sharing the store: each writes its heartbeat (with its address
 * and how many instances it owns) every renew tick. A node whose heartbeat
 * is older than a lease counts as dead.
 */
import type { Doc, Store } from '../port.js';

export interface NodeDoc extends Doc {
  url: string;
  started_at: number;
  heartbeat_at: number;
  /** Instances it owned at its last heartbeat. */
  instances: number;
}

/** Dead nodes are listed for an hour, then forgotten. */
const FORGET_AFTER_MS = 3600_000;

export class NodesRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<NodeDoc>('nodes');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('nodes', [{ keys: { heartbeat_at: 1 } }]);
  }

  async heartbeat(node: Omit<NodeDoc, 'heartbeat_at'>, now: number): Promise<void> {
    await this.coll.updateOne({ _id: node._id }, { $set: { url: node.url, started_at: node.started_at, instances: node.instances, heartbeat_at: now } }, { upsert: true });
  }

  byId(id: string): Promise<NodeDoc | null> {
    return this.coll.findOne({ _id: id });
  }

  all(): Promise<NodeDoc[]> {
    return this.coll.find({}, { sort: { _id: 1 } });
  }

  live(now: number, leaseMs: number): Promise<NodeDoc[]> {
    return this.coll.find({ heartbeat_at: { $gt: now - leaseMs } }, { sort: { _id: 1 } });
  }

  async remove(id: string): Promise<void> {
    await this.coll.deleteOne({ _id: id });
  }

  async forgetDead(now: number): Promise<void> {
    await this.coll.deleteMany({ heartbeat_at: { $lt: now - FORGET_AFTER_MS } });
  }
}
