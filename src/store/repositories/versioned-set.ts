/**
 * A set of documents per instance whose compiled form is cached (the
 * rules, the flows), plus a per-instance version document: the version is
 * bumped by every change, so each process notices a change made by another
 * one sharing the database without reloading the set, and it keeps the
 * count, so the per-instance cap is checked without counting documents.
 * Every write bumps in the same turn (one transaction on the embedded
 * store).
 */
import type { Collection, Doc, Sort, Store, Update } from '../port.js';

export interface SetMember extends Doc {
  instance_id: string;
  updated_at: number;
}

interface SetVersionDoc extends Doc {
  version: number;
  count: number;
  updated_at: number;
}

export class VersionedSet<T extends SetMember> {
  protected readonly coll: Collection<T>;
  private readonly versions: Collection<SetVersionDoc>;

  constructor(
    protected readonly store: Store,
    collection: string,
    versionsCollection: string,
    /** The order of list() and all(). */
    private readonly order: Sort,
  ) {
    this.coll = store.collection<T>(collection);
    this.versions = store.collection<SetVersionDoc>(versionsCollection);
  }

  /** Where the documents are: a change to it is a change to some instance's set. */
  get collectionName(): string {
    return this.coll.name;
  }

  async insert(doc: T): Promise<T> {
    const [inserted] = await Promise.all([this.coll.insertOne(doc), this.bump(doc.instance_id, doc.updated_at, 1)]);
    return inserted;
  }

  byId(instanceId: string, id: string): Promise<T | null> {
    return this.coll.findOne({ _id: id, instance_id: instanceId });
  }

  list(instanceId: string, page: { skip: number; limit: number }): Promise<T[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: this.order, skip: page.skip, limit: page.limit });
  }

  all(instanceId: string): Promise<T[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: this.order });
  }

  count(instanceId: string): Promise<number> {
    return this.coll.countDocuments({ instance_id: instanceId });
  }

  /** The caller has just read the document, so the count is decremented in the same turn as the delete. */
  async remove(instanceId: string, id: string, now: number): Promise<boolean> {
    const [removed] = await Promise.all([this.coll.deleteOne({ _id: id, instance_id: instanceId }), this.bump(instanceId, now, -1)]);
    return removed === 1;
  }

  async removeAll(instanceId: string): Promise<void> {
    await Promise.all([this.coll.deleteMany({ instance_id: instanceId }), this.versions.deleteOne({ _id: instanceId })]);
  }

  /** 0 for an instance whose set never changed. */
  async version(instanceId: string): Promise<number> {
    return (await this.versions.findOne({ _id: instanceId }))?.version ?? 0;
  }

  /** The number of documents, kept with the version (O(1)); the cap is a limit on this figure. */
  async tally(instanceId: string): Promise<number> {
    return (await this.versions.findOne({ _id: instanceId }))?.count ?? 0;
  }

  /** Applies `update` to one document and bumps the set's version. */
  protected async change(instanceId: string, id: string, update: Update, now: number): Promise<T | null> {
    const [updated] = await Promise.all([this.coll.findOneAndUpdate({ _id: id, instance_id: instanceId }, update), this.bump(instanceId, now, 0)]);
    return updated;
  }

  private async bump(instanceId: string, now: number, delta: number): Promise<void> {
    await this.versions.updateOne({ _id: instanceId }, { $inc: { version: 1, count: delta }, $set: { updated_at: now } }, { upsert: true });
  }
}
