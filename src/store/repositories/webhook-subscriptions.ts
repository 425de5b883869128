/** Webhook subscriptions: one endpoint of one instance, with its secret and the events it wants. */
import type { Doc, Store } from '../port.js';

export const WEBHOOK_SUBSCRIPTIONS = 'webhook_subscriptions';

/** Why a subscription was switched off: by its owner, by a 410 Gone, or after days of only failures. */
export type DisabledReason = 'user' | 'gone' | 'failing';

export interface WebhookHistoryEntry {
  type: 'webhook.disabled' | 'webhook.enabled';
  reason: DisabledReason | 'user';
  detail: string;
  at: number;
}

export interface WebhookSubscriptionDoc extends Doc {
  instance_id: string;
  owner_id: string;
  url: string;
  /** As the caller named them (canonical names or seed aliases). */
  events: string[];
  /** whsec_<base64>; needed in clear to sign. */
  secret: string;
  /** After a rotation the old secret keeps signing until it expires. */
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  /** An array, not an object: header names may contain dots, which MongoDB field names cannot. */
  headers: { name: string; value: string }[];
  enabled: boolean;
  timeout_ms: number;
  description: string | null;
  /** Start of the current run of failures (null after a success); drives auto-disable. */
  failing_since: number | null;
  disabled_reason: DisabledReason | null;
  disabled_at: number | null;
  history: WebhookHistoryEntry[];
  created_at: number;
  updated_at: number;
}

export class WebhookSubscriptionsRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<WebhookSubscriptionDoc>(WEBHOOK_SUBSCRIPTIONS);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(WEBHOOK_SUBSCRIPTIONS, [{ keys: { instance_id: 1, created_at: 1 } }]);
  }

  insert(doc: WebhookSubscriptionDoc): Promise<WebhookSubscriptionDoc> {
    return this.coll.insertOne(doc);
  }

  all(): Promise<WebhookSubscriptionDoc[]> {
    return this.coll.find({});
  }

  byId(id: string): Promise<WebhookSubscriptionDoc | null> {
    return this.coll.findOne({ _id: id });
  }

  listByInstance(instanceId: string): Promise<WebhookSubscriptionDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: { created_at: 1 } });
  }

  countByInstance(instanceId: string): Promise<number> {
    return this.coll.countDocuments({ instance_id: instanceId });
  }

  update(id: string, fields: Partial<Omit<WebhookSubscriptionDoc, '_id'>>, now: number, history?: WebhookHistoryEntry): Promise<WebhookSubscriptionDoc | null> {
    return this.coll.findOneAndUpdate({ _id: id }, { $set: { ...fields, updated_at: now }, ...(history ? { $push: { history } } : {}) });
  }

  /** Starts a run of failures unless one is already running (its start is what auto-disable measures from). */
  markFailing(id: string, now: number): Promise<WebhookSubscriptionDoc | null> {
    return this.coll.findOneAndUpdate({ _id: id, failing_since: null }, { $set: { failing_since: now, updated_at: now } });
  }

  remove(id: string): Promise<number> {
    return this.coll.deleteOne({ _id: id });
  }

  removeForInstance(instanceId: string): Promise<number> {
    return this.coll.deleteMany({ instance_id: instanceId });
  }
}
