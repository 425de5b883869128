/**
 * Conversation flows, one document per flow, plus a per-instance
 * `flow_versions` document like rule_versions: a version bumped by every
 * change (compiled flow sets are cached in memory; the version lets every
 * process notice a change made by another one sharing the database) and the
 * number of flows (the per-instance cap is checked without counting them).
 *
 * Each flow also has its own `version`, bumped by every change to it: a
 * chat inside an older version of the flow is ended (flow_changed).
 */
import type { FlowDefinition } from '../../domain/flows.js';
import type { Doc, Store } from '../port.js';

export interface FlowDoc extends Doc, FlowDefinition {
  instance_id: string;
  /** 1 when created, +1 on every update, enable or disable. */
  version: number;
  created_at: number;
  updated_at: number;
}

interface FlowVersionDoc extends Doc {
  version: number;
  count: number;
  updated_at: number;
}

/** Creation order: an earlier flow's trigger wins a tie. */
const ORDER = { created_at: 1, _id: 1 } as const;

export class FlowsRepo {
  private readonly coll;
  private readonly versions;

  constructor(private readonly store: Store) {
    this.coll = store.collection<FlowDoc>('flows');
    this.versions = store.collection<FlowVersionDoc>('flow_versions');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('flows', [{ keys: { instance_id: 1, created_at: 1 } }]);
  }

  /** Writes the flow and bumps the set's version in the same turn (one transaction on the embedded store). */
  async insert(doc: FlowDoc): Promise<FlowDoc> {
    const [inserted] = await Promise.all([this.coll.insertOne(doc), this.bump(doc.instance_id, doc.updated_at, 1)]);
    return inserted;
  }

  byId(instanceId: string, id: string): Promise<FlowDoc | null> {
    return this.coll.findOne({ _id: id, instance_id: instanceId });
  }

  list(instanceId: string, page: { skip: number; limit: number }): Promise<FlowDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: ORDER, skip: page.skip, limit: page.limit });
  }

  all(instanceId: string): Promise<FlowDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: ORDER });
  }

  count(instanceId: string): Promise<number> {
    return this.coll.countDocuments({ instance_id: instanceId });
  }

  /** Sets `fields` and bumps the flow's own version and the set's. */
  async update(instanceId: string, id: string, fields: Partial<FlowDefinition>, now: number): Promise<FlowDoc | null> {
    const [updated] = await Promise.all([
      this.coll.findOneAndUpdate({ _id: id, instance_id: instanceId }, { $set: { ...fields, updated_at: now }, $inc: { version: 1 } }),
      this.bump(instanceId, now, 0),
    ]);
    return updated;
  }

  /** The caller has just read the flow, so the count is decremented in the same turn as the delete. */
  async remove(instanceId: string, id: string, now: number): Promise<boolean> {
    const [removed] = await Promise.all([this.coll.deleteOne({ _id: id, instance_id: instanceId }), this.bump(instanceId, now, -1)]);
    return removed === 1;
  }

  async removeAll(instanceId: string): Promise<void> {
    await Promise.all([this.coll.deleteMany({ instance_id: instanceId }), this.versions.deleteOne({ _id: instanceId })]);
  }

  /** The version of the instance's set of flows; 0 for an instance whose flows never changed. */
  async version(instanceId: string): Promise<number> {
    return (await this.versions.findOne({ _id: instanceId }))?.version ?? 0;
  }

  /** The number of flows, kept with the version (O(1)); the cap is a limit on this figure. */
  async tally(instanceId: string): Promise<number> {
    return (await this.versions.findOne({ _id: instanceId }))?.count ?? 0;
  }

  private async bump(instanceId: string, now: number, delta: number): Promise<void> {
    await this.versions.updateOne({ _id: instanceId }, { $inc: { version: 1, count: delta }, $set: { updated_at: now } }, { upsert: true });
  }
}
