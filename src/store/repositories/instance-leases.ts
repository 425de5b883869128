/**
 * Instance ownership leases, kept on the instance documents themselves
 * (owner_node, owner_token, owner_until), so an owner-only write of the
 * instance can present its token in the same statement. A lease that runs
 * out (owner_until in the past) is free for any node to take.
 */
import type { EngineKind } from '../../engines/engine.js';
import type { Filter, Store } from '../port.js';
import type { InstanceDoc } from './instances.js';

export interface Lease {
  instanceId: string;
  node: string;
  token: string;
  until: number;
}

/** A lease with its instance's connection status (only connected instances are handed over). */
export type HeldLease = Lease & { status: string };

/** Free: never leased, released, or run out. */
function free(now: number): Filter {
  return { $or: [{ owner_until: { $lte: now } }, { owner_until: { $exists: false } }] };
}

export class InstanceLeasesRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<InstanceDoc>('instances');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('instances', [{ keys: { owner_node: 1, owner_until: 1 }, name: 'owner_lease' }]);
  }

  /** Takes the lease when it is free or already this token's; null when another node holds it (or the instance is gone). */
  async claim(instanceId: string, node: string, token: string, now: number, until: number): Promise<InstanceDoc | null> {
    return this.coll.findOneAndUpdate(
      { _id: instanceId, $or: [free(now), { owner_node: node, owner_token: token }] },
      { $set: { owner_node: node, owner_token: token, owner_until: until } },
    );
  }

  /** Extends every lease the node holds under one of `tokens` that has not run out. */
  async renew(node: string, tokens: string[], now: number, until: number): Promise<void> {
    if (tokens.length === 0) return;
    await this.coll.updateMany({ owner_node: node, owner_token: { $in: tokens }, owner_until: { $gt: now } }, { $set: { owner_until: until } });
  }

  /** The leases the node holds now. */
  async heldBy(node: string, now: number): Promise<HeldLease[]> {
    const docs = await this.coll.find({ owner_node: node, owner_until: { $gt: now } });
    return docs.map((d) => ({ instanceId: d._id, node, token: d.owner_token!, until: d.owner_until!, status: d.status }));
  }

  /** Who holds the instance now; null when nobody (or it does not exist). */
  async holder(instanceId: string, now: number): Promise<Lease | null> {
    const d = await this.coll.findOne({ _id: instanceId, owner_until: { $gt: now } });
    return d?.owner_node && d.owner_token ? { instanceId, node: d.owner_node, token: d.owner_token, until: d.owner_until! } : null;
  }

  async exists(instanceId: string): Promise<boolean> {
    return (await this.coll.countDocuments({ _id: instanceId })) === 1;
  }

  /** Instances that should be connected and that no live node holds. */
  async unowned(now: number, kinds: EngineKind[], limit: number): Promise<string[]> {
    const docs = await this.coll.find({ desired_state: 'connected', engine: { $in: kinds }, ...free(now) }, { limit, sort: { _id: 1 } });
    return docs.map((d) => d._id);
  }

  countWanting(kinds: EngineKind[]): Promise<number> {
    return this.coll.countDocuments({ desired_state: 'connected', engine: { $in: kinds } });
  }

  countUnowned(now: number, kinds: EngineKind[]): Promise<number> {
    return this.coll.countDocuments({ desired_state: 'connected', engine: { $in: kinds }, ...free(now) });
  }

  countOwned(now: number): Promise<number> {
    return this.coll.countDocuments({ owner_until: { $gt: now } });
  }

  /** Gives the lease up, if `token` still holds it. */
  async release(instanceId: string, token: string): Promise<void> {
    await this.coll.updateOne({ _id: instanceId, owner_token: token }, { $set: { owner_node: null, owner_token: null, owner_until: 0 } });
  }
}
