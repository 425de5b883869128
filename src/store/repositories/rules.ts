/**
 * Keyword rules, one document per rule, plus a per-instance `rule_versions`
 * document: a version bumped by every change (compiled rule sets are cached
 * in memory; the version lets every process notice a change made by another
 * one sharing the database without reloading thousands of rules) and the
 * number of rules (the per-instance cap is checked without counting them).
 */
import type { RuleDefinition } from '../../domain/rules.js';
import type { Doc, Store } from '../port.js';

export interface RuleDoc extends Doc, RuleDefinition {
  instance_id: string;
  created_at: number;
  updated_at: number;
}

interface RuleVersionDoc extends Doc {
  version: number;
  count: number;
  updated_at: number;
}

/** Evaluation order: higher priority first, then creation order. */
const ORDER = { priority: -1, created_at: 1, _id: 1 } as const;

export class RulesRepo {
  private readonly coll;
  private readonly versions;

  constructor(private readonly store: Store) {
    this.coll = store.collection<RuleDoc>('rules');
    this.versions = store.collection<RuleVersionDoc>('rule_versions');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('rules', [{ keys: { instance_id: 1, priority: -1, created_at: 1 } }]);
  }

  /** Writes the rule and bumps the version in the same turn (one transaction on the embedded store). */
  async insert(doc: RuleDoc): Promise<RuleDoc> {
    const [inserted] = await Promise.all([this.coll.insertOne(doc), this.bump(doc.instance_id, doc.updated_at, 1)]);
    return inserted;
  }

  byId(instanceId: string, id: string): Promise<RuleDoc | null> {
    return this.coll.findOne({ _id: id, instance_id: instanceId });
  }

  list(instanceId: string, page: { skip: number; limit: number }): Promise<RuleDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: ORDER, skip: page.skip, limit: page.limit });
  }

  all(instanceId: string): Promise<RuleDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: ORDER });
  }

  count(instanceId: string): Promise<number> {
    return this.coll.countDocuments({ instance_id: instanceId });
  }

  async update(instanceId: string, id: string, fields: Partial<RuleDefinition>, now: number): Promise<RuleDoc | null> {
    const [updated] = await Promise.all([
      this.coll.findOneAndUpdate({ _id: id, instance_id: instanceId }, { $set: { ...fields, updated_at: now } }),
      this.bump(instanceId, now, 0),
    ]);
    return updated;
  }

  /** The caller has just read the rule, so the count is decremented in the same turn as the delete. */
  async remove(instanceId: string, id: string, now: number): Promise<boolean> {
    const [removed] = await Promise.all([this.coll.deleteOne({ _id: id, instance_id: instanceId }), this.bump(instanceId, now, -1)]);
    return removed === 1;
  }

  async removeAll(instanceId: string): Promise<void> {
    await Promise.all([this.coll.deleteMany({ instance_id: instanceId }), this.versions.deleteOne({ _id: instanceId })]);
  }

  /** 0 for an instance whose rules never changed. */
  async version(instanceId: string): Promise<number> {
    return (await this.versions.findOne({ _id: instanceId }))?.version ?? 0;
  }

  /** The number of rules, kept with the version (O(1)); the cap is a limit on this figure. */
  async tally(instanceId: string): Promise<number> {
    return (await this.versions.findOne({ _id: instanceId }))?.count ?? 0;
  }

  private async bump(instanceId: string, now: number, delta: number): Promise<void> {
    await this.versions.updateOne({ _id: instanceId }, { $inc: { version: 1, count: delta }, $set: { updated_at: now } }, { upsert: true });
  }
}
