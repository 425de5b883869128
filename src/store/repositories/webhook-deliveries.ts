/**
 * The durable webhook outbox: one delivery per (event, subscription) with
 * every attempt made. The body lives in webhook_events.
 *
 * Claiming follows the lease pattern of ../lease.ts (DELIVERY_LEASE): a
 * claim atomically moves a delivery to `processing` with a fresh fencing
 * token in `lock_token`; while processing, `run_at` is the lease's expiry.
 * Finishing requires the same token, so a worker whose lease expired (and
 * whose delivery was claimed again) cannot overwrite the newer outcome. One
 * index, {status, run_at}, serves due retries, expired leases and retention
 * alike.
 */
import { applyLease, DELIVERY_LEASE, heldBy } from '../lease.js';
import { newId, type Doc, type Filter, type Store } from '../port.js';

export const WEBHOOK_DELIVERIES = 'webhook_deliveries';

/**
 * pending: waiting for its first attempt or a retry (at run_at);
 * processing: claimed by a worker (lease until run_at);
 * delivered: a 2xx answer; dead: the last scheduled attempt failed;
 * paused: its subscription is disabled; resumes when it is enabled again.
 */
export type DeliveryStatus = 'pending' | 'processing' | 'delivered' | 'dead' | 'paused';

export interface DeliveryAttempt {
  /** 1-based over the delivery's whole life (redeliveries continue the count). */
  n: number;
  at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  /** When the next attempt is due, or null when this one ended the round. */
  next_retry_at: number | null;
  /** The first bytes of the answer, to help integrators debug. */
  response: string | null;
}

export interface WebhookDeliveryDoc extends Doc {
  instance_id: string;
  subscription_id: string;
  /** The event (webhook_events), whose id is the `webhook-id` header, equal on every retry. */
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  /** pending: when the next attempt is due; processing: when the lease expires. */
  run_at: number;
  lock_token: string | null;
  /** Attempts in the current round; a redelivery starts a new round. */
  round_attempts: number;
  attempts: DeliveryAttempt[];
  last_status_code: number | null;
  last_error: string | null;
  /** A ping from POST …/test: one attempt, never retried. */
  test: boolean;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface DeliveryListFilter {
  status?: DeliveryStatus;
  event_type?: string;
}

export class WebhookDeliveriesRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<WebhookDeliveryDoc>(WEBHOOK_DELIVERIES);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(WEBHOOK_DELIVERIES, [{ keys: { status: 1, run_at: 1 } }, { keys: { subscription_id: 1, created_at: -1 } }]);
  }

  insertMany(docs: WebhookDeliveryDoc[]): Promise<WebhookDeliveryDoc[]> {
    return this.coll.insertMany(docs);
  }

  byId(id: string): Promise<WebhookDeliveryDoc | null> {
    return this.coll.findOne({ _id: id });
  }

  /** Atomically takes a due delivery (or one whose lease expired); null if someone else has it or it is not due. */
  claim(id: string, token: string, now: number, leaseMs: number): Promise<WebhookDeliveryDoc | null> {
    return this.coll.findOneAndUpdate(
      { _id: id, status: { $in: ['pending', 'processing'] }, run_at: { $lte: now } },
      { $set: applyLease({ updated_at: now }, DELIVERY_LEASE, { token, until: now + leaseMs }) },
    );
  }

  /** Extends a claim this worker still holds; null if the lease was lost. */
  renew(id: string, token: string, now: number, leaseMs: number): Promise<WebhookDeliveryDoc | null> {
    return this.coll.findOneAndUpdate(heldBy(DELIVERY_LEASE, id, token), { $set: { run_at: now + leaseMs, updated_at: now } });
  }

  /** Records an attempt's outcome; false when the lease was lost to a newer claim (the outcome is then discarded). */
  async finish(id: string, token: string, fields: Partial<WebhookDeliveryDoc>, attempt: DeliveryAttempt | null, now: number): Promise<boolean> {
    const result = await this.coll.updateOne(
      // a token is set only by a claim and cleared by every exit from processing
      heldBy(DELIVERY_LEASE, id, token),
      {
        $set: { ...fields, lock_token: null, updated_at: now },
        ...(attempt ? { $push: { attempts: attempt }, $inc: { round_attempts: 1 } } : {}),
      },
    );
    return result.matched === 1;
  }

  /** Due deliveries, oldest first, leaving out subscriptions the dispatcher is already busy with. */
  due(now: number, excludeSubscriptions: string[], limit: number): Promise<WebhookDeliveryDoc[]> {
    const filter: Filter = { status: 'pending', run_at: { $lte: now } };
    if (excludeSubscriptions.length > 0) filter.subscription_id = { $nin: excludeSubscriptions };
    return this.coll.find(filter, { sort: { run_at: 1 }, limit });
  }

  /** Claimed by a worker that died (or hung) past its lease. */
  expired(now: number, limit: number): Promise<WebhookDeliveryDoc[]> {
    return this.coll.find({ status: 'processing', run_at: { $lt: now } }, { sort: { run_at: 1 }, limit });
  }

  /**
   * Single-process store only: at start-up every `processing` row belongs to
   * a process that no longer exists, so it is due again at once instead of
   * after its lease.
   */
  async releaseAll(now: number): Promise<number> {
    return (await this.coll.updateMany({ status: 'processing' }, { $set: { status: 'pending', run_at: now, lock_token: null, updated_at: now } })).modified;
  }

  async pauseSubscription(subscriptionId: string, now: number): Promise<number> {
    return (await this.coll.updateMany({ subscription_id: subscriptionId, status: 'pending' }, { $set: { status: 'paused', updated_at: now } })).modified;
  }

  /** Paused deliveries resume with a fresh round of attempts. */
  async resumeSubscription(subscriptionId: string, now: number): Promise<number> {
    return (await this.coll.updateMany({ subscription_id: subscriptionId, status: 'paused' }, { $set: { status: 'pending', run_at: now, round_attempts: 0, updated_at: now } })).modified;
  }

  /** Starts a new round for a delivery that is not being attempted right now. */
  redeliver(id: string, now: number): Promise<WebhookDeliveryDoc | null> {
    return this.coll.findOneAndUpdate({ _id: id, status: { $ne: 'processing' } }, { $set: { status: 'pending', run_at: now, round_attempts: 0, updated_at: now } });
  }

  list(subscriptionId: string, filter: DeliveryListFilter, page: number, limit: number): Promise<WebhookDeliveryDoc[]> {
    return this.coll.find(this.listFilter(subscriptionId, filter), { sort: { created_at: -1, _id: -1 }, skip: (page - 1) * limit, limit });
  }

  count(subscriptionId: string, filter: DeliveryListFilter): Promise<number> {
    return this.coll.countDocuments(this.listFilter(subscriptionId, filter));
  }

  removeForSubscription(subscriptionId: string): Promise<number> {
    return this.coll.deleteMany({ subscription_id: subscriptionId });
  }

  /**
   * Retention. Deliveries still waiting after `before` (paused under a
   * disabled webhook, or retrying longer than the retention) are dead-lettered
   * first, then finished ones whose last activity is older are removed.
   */
  async expire(before: number, now: number): Promise<{ deadLettered: number; removed: number }> {
    const stale = await this.coll.updateMany(
      { status: { $in: ['paused', 'pending'] }, run_at: { $lt: before } },
      { $set: { status: 'dead', last_error: 'expired: not delivered within the retention period', updated_at: now } },
    );
    const removed = await this.coll.deleteMany({ status: { $in: ['delivered', 'dead'] }, run_at: { $lt: before }, updated_at: { $lt: before } });
    return { deadLettered: stale.modified, removed };
  }

  private listFilter(subscriptionId: string, filter: DeliveryListFilter): Filter {
    return { subscription_id: subscriptionId, ...(filter.status ? { status: filter.status } : {}), ...(filter.event_type ? { event_type: filter.event_type } : {}) };
  }
}

/** A fresh pending delivery of one event to one subscription. */
export function newDelivery(fields: Pick<WebhookDeliveryDoc, 'instance_id' | 'subscription_id' | 'event_id' | 'event_type'>, now: number): WebhookDeliveryDoc {
  return {
    _id: newId(),
    ...fields,
    status: 'pending',
    run_at: now,
    lock_token: null,
    round_attempts: 0,
    attempts: [],
    last_status_code: null,
    last_error: null,
    test: false,
    created_at: now,
    updated_at: now,
    delivered_at: null,
  };
}
