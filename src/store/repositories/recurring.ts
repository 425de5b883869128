/**
 * Recurring sends: a cron expression, a recipient and a content template.
 * `next_run_at` exists only while the send is active, so the scheduler's
 * index holds exactly the sends it may have to fire.
 */
import type { Content, MediaInput } from '../../domain/content.js';
import type { Doc, Store } from '../port.js';

export interface RecurringDoc extends Doc {
  instance_id: string;
  owner_id: string;
  name: string | null;
  cron: string;
  /** The recipient as given back to integrators, and the JID sent to. */
  to: string;
  chat_jid: string;
  phone: string | null;
  /** Media only by URL: it is fetched again for every run, so nothing stored can expire in between. */
  content: Content<MediaInput>;
  paused: boolean;
  next_run_at?: number;
  last_run_at: number | null;
  last_message_id: string | null;
  runs: number;
  created_at: number;
  updated_at: number;
}

export class RecurringRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<RecurringDoc>('recurring_sends');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('recurring_sends', [{ keys: { next_run_at: 1 }, sparse: true }, { keys: { instance_id: 1, created_at: 1 } }]);
  }

  insert(doc: RecurringDoc): Promise<RecurringDoc> {
    return this.coll.insertOne(doc);
  }

  byId(instanceId: string, id: string): Promise<RecurringDoc | null> {
    return this.coll.findOne({ _id: id, instance_id: instanceId });
  }

  list(instanceId: string): Promise<RecurringDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: { created_at: 1 } });
  }

  /** The active sends due at `now`, oldest first. */
  due(now: number, limit: number): Promise<RecurringDoc[]> {
    return this.coll.find({ next_run_at: { $lte: now } }, { sort: { next_run_at: 1 }, limit });
  }

  async nextDue(): Promise<number | null> {
    const next = await this.coll.findOne({ next_run_at: { $gte: 0 } }, { sort: { next_run_at: 1 } });
    return next?.next_run_at ?? null;
  }

  /**
   * Records a run and moves to the next occurrence, only if nobody else ran
   * this occurrence meanwhile (`next_run_at` is the guard).
   */
  advance(id: string, ranAt: number, next: number | null, messageId: string | null, now: number): Promise<RecurringDoc | null> {
    return this.coll.findOneAndUpdate(
      { _id: id, next_run_at: ranAt },
      {
        $set: { last_run_at: ranAt, updated_at: now, ...(messageId ? { last_message_id: messageId } : {}), ...(next !== null ? { next_run_at: next } : {}) },
        ...(next === null ? { $unset: { next_run_at: true } } : {}),
        $inc: { runs: messageId ? 1 : 0 },
      },
    );
  }

  setPaused(instanceId: string, id: string, paused: boolean, next: number | null, now: number): Promise<RecurringDoc | null> {
    return this.coll.findOneAndUpdate(
      { _id: id, instance_id: instanceId },
      { $set: { paused, updated_at: now, ...(next !== null ? { next_run_at: next } : {}) }, ...(next === null ? { $unset: { next_run_at: true } } : {}) },
    );
  }

  async remove(instanceId: string, id: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: id, instance_id: instanceId })) === 1;
  }

  deleteForInstance(instanceId: string): Promise<number> {
    return this.coll.deleteMany({ instance_id: instanceId });
  }
}
