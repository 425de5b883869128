/**
 * The EventSink: turns domain events into envelopes and writes one delivery
 * per matching enabled subscription into the durable outbox before
 * resolving. Everything up to the insert runs synchronously, so a producer
 * that writes its own record and calls publish in the same event-loop turn
 * gets both in one embedded-store transaction.
 */
import type { DomainEvent, EventType } from '../../domain/events.js';
import { newId } from '../../store/port.js';
import { newDelivery, type WebhookDeliveriesRepo, type WebhookDeliveryDoc } from '../../store/repositories/webhook-deliveries.js';
import type { WebhookEventDoc, WebhookEventsRepo } from '../../store/repositories/webhook-events.js';
import type { EventSink } from '../ports.js';
import type { Hint, WebhookDispatcher } from './dispatcher.js';
import type { SubscriptionCache } from './subscription-cache.js';

export interface Envelope {
  id: string;
  type: string;
  instance_id: string;
  timestamp: string;
  data: unknown;
}

/** The exact bytes stored, signed and sent. */
export function envelopeBody(envelope: Envelope): string {
  return JSON.stringify({ id: envelope.id, type: envelope.type, instance_id: envelope.instance_id, timestamp: envelope.timestamp, data: envelope.data });
}

export class WebhookPublisher implements EventSink {
  constructor(
    private readonly cache: SubscriptionCache,
    private readonly events: WebhookEventsRepo,
    private readonly deliveries: WebhookDeliveriesRepo,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: () => number,
  ) {}

  wants(instanceId: string, type: EventType): boolean {
    return this.cache.wantsType(instanceId, type);
  }

  publish(instanceId: string, events: DomainEvent[]): Promise<void> {
    const now = this.clock();
    const timestamp = new Date(now).toISOString();
    const eventDocs: WebhookEventDoc[] = [];
    const deliveries: WebhookDeliveryDoc[] = [];
    const hints: Hint[] = [];
    for (const event of events) {
      const subs = this.cache.matching(instanceId, event);
      if (subs.length === 0) continue;
      const id = newId();
      const body = envelopeBody({ id, type: event.type, instance_id: instanceId, timestamp, data: event.data });
      eventDocs.push({ _id: id, instance_id: instanceId, type: event.type, body, created_at: now });
      for (const sub of subs) {
        const delivery = newDelivery({ instance_id: instanceId, subscription_id: sub._id, event_id: id, event_type: event.type }, now);
        // Claimed by this process as it is written (no separate claim write on the hot path),
        // unless the endpoint's queue is full; then the poller picks it up later.
        const claim = this.dispatcher.hotClaim(sub, now);
        if (claim) {
          Object.assign(delivery, { status: 'processing', lock_token: claim.token, run_at: claim.leaseUntil });
          hints.push({ _id: delivery._id, subscription_id: sub._id, claim, event: { id, body } });
        }
        deliveries.push(delivery);
      }
    }
    if (deliveries.length === 0) return Promise.resolve();
    // both writes are issued in this turn, so they commit together with the producer's own record
    const written = Promise.all([this.events.insertMany(eventDocs), this.deliveries.insertMany(deliveries)]);
    return written.then(() => this.dispatcher.enqueue(hints));
  }
}
