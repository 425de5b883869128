/**
 * Webhook events as sent: the exact body bytes, written once per event and
 * shared by its deliveries (one per subscription). Kept apart from the
 * deliveries so the rows that change on every attempt stay small.
 */
import type { Doc, Store } from '../port.js';

export const WEBHOOK_EVENTS = 'webhook_events';

export interface WebhookEventDoc extends Doc {
  /** `_id` is the event id: the envelope's `id` and the `webhook-id` header. */
  instance_id: string;
  type: string;
  /** The exact bytes signed and sent on every attempt. */
  body: string;
  created_at: number;
}

export class WebhookEventsRepo {
  private readonly coll;

  constructor(store: Store) {
    this.coll = store.collection<WebhookEventDoc>(WEBHOOK_EVENTS);
  }

  insertMany(docs: WebhookEventDoc[]): Promise<WebhookEventDoc[]> {
    return this.coll.insertMany(docs);
  }

  byId(id: string): Promise<WebhookEventDoc | null> {
    return this.coll.findOne({ _id: id });
  }

  /** Ids are ObjectIds, which start with their creation time: the primary key orders events by age, no extra index needed. */
  purgeBefore(time: number): Promise<number> {
    return this.coll.deleteMany({ _id: { $lt: idAtTime(time) } });
  }

  removeForInstance(instanceId: string): Promise<number> {
    return this.coll.deleteMany({ instance_id: instanceId });
  }
}

/** The smallest ObjectId made at `time` (its first 4 bytes are the seconds). */
function idAtTime(time: number): string {
  return Math.floor(time / 1000).toString(16).padStart(8, '0') + '0'.repeat(16);
}
