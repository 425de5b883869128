/**
 * The EventSink: turns domain events into envelopes and writes one delivery
 * per matching enabled subscription into the durable outbox before
 * resolving. Everything up to the insert runs synchronously, so a producer
 * that writes its own record and calls publish in the same event-loop turn
 * gets both in one transaction on a store with turnCommit.
 */
import type { DomainEvent, EventType } from '../../domain/events.js';
import { newId } from '../../store/port.js';
import { newDelivery, type WebhookDeliveriesRepo, type WebhookDeliveryDoc } from '../../store/repositories/webhook-deliveries.js';
import type { WebhookEventDoc, WebhookEventsRepo } from '../../store/repositories/webhook-events.js';
import type { EventSink } from '../ports.js';
import type { FreshDelivery, WebhookDispatcher } from './dispatcher.js';
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
    const fresh: FreshDelivery[] = [];
    for (const event of events) {
      const subs = this.cache.matching(instanceId, event);
      if (subs.length === 0) continue;
      const id = newId();
      const body = envelopeBody({ id, type: event.type, instance_id: instanceId, timestamp, data: event.data });
      eventDocs.push({ _id: id, instance_id: instanceId, type: event.type, body, created_at: now });
      for (const sub of subs) {
        const delivery = newDelivery({ instance_id: instanceId, subscription_id: sub._id, event_id: id, event_type: event.type }, now);
        deliveries.push(delivery);
        fresh.push({ doc: delivery, sub, event: { id, body } });
      }
    }
    if (deliveries.length === 0) return Promise.resolve();
    // the dispatcher claims what it can take at once; both writes are issued in this turn, so they commit together with the producer's own record
    return this.dispatcher.submit(fresh, () => Promise.all([this.events.insertMany(eventDocs), this.deliveries.insertMany(deliveries)]));
  }
}
