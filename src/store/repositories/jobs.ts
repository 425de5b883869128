/**
 * Bulk send jobs. A job's messages live in the outbox (tagged with job_id);
 * the job document holds the request and the job's own lifecycle, and its
 * progress is counted from its messages so the two can never disagree.
 */
import type { VariationOptions } from '../../domain/variation/vary.js';
import type { Doc, Store } from '../port.js';

export type JobStatus = 'creating' | 'running' | 'completed' | 'cancelled';

export interface JobDoc extends Doc {
  instance_id: string;
  owner_id: string;
  /** 'creating' until every message is stored; a job found 'creating' at start-up was interrupted. */
  status: JobStatus;
  total: number;
  /** The template as submitted (JSON shape), for display. */
  content: Record<string, unknown>;
  delay_ms: number;
  ai_modifications: VariationOptions | null;
  schedule_at: number | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  cancelled_at: number | null;
}

export class JobsRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<JobDoc>('jobs');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('jobs', [{ keys: { instance_id: 1, created_at: -1 } }, { keys: { status: 1 } }]);
  }

  insert(doc: JobDoc): Promise<JobDoc> {
    return this.coll.insertOne(doc);
  }

  byId(instanceId: string, id: string): Promise<JobDoc | null> {
    return this.coll.findOne({ _id: id, instance_id: instanceId });
  }

  byIdAnyInstance(id: string): Promise<JobDoc | null> {
    return this.coll.findOne({ _id: id });
  }

  list(instanceId: string, page: number, limit: number): Promise<JobDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: { created_at: -1 }, skip: (page - 1) * limit, limit });
  }

  count(instanceId: string): Promise<number> {
    return this.coll.countDocuments({ instance_id: instanceId });
  }

  withStatus(status: JobStatus): Promise<JobDoc[]> {
    return this.coll.find({ status });
  }

  /** Moves a job from one status to another; null when it was not in `from` (someone else moved it). */
  transition(id: string, from: JobStatus[], to: JobStatus, now: number): Promise<JobDoc | null> {
    const extra = to === 'completed' ? { completed_at: now } : to === 'cancelled' ? { cancelled_at: now } : {};
    return this.coll.findOneAndUpdate({ _id: id, status: { $in: from } }, { $set: { status: to, updated_at: now, ...extra } });
  }

  deleteForInstance(instanceId: string): Promise<number> {
    return this.coll.deleteMany({ instance_id: instanceId });
  }
}
