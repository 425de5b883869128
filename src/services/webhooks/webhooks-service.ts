/**
 * The webhook service as the rest of tucan sees it: the EventSink other
 * services publish to, the subscription API, delivery logs with redelivery
 * and test pings, and the background worker (dispatcher, retention).
 */
import type { Config } from '../../config.js';
import type { DomainEvent, EventType } from '../../domain/events.js';
import type { Random } from '../../domain/random.js';
import type { Logger } from '../../logger.js';
import { newId, type Store } from '../../store/port.js';
import type { InstanceDoc } from '../../store/repositories/instances.js';
import { WebhookDeliveriesRepo, type DeliveryListFilter, type WebhookDeliveryDoc } from '../../store/repositories/webhook-deliveries.js';
import { WebhookEventsRepo } from '../../store/repositories/webhook-events.js';
import { WebhookSubscriptionsRepo } from '../../store/repositories/webhook-subscriptions.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Worker } from '../interval-worker.js';
import { SafeHttp, type Resolve } from '../net/safe-http.js';
import type { Observer } from '../metrics/observer.js';
import type { EventSink } from '../ports.js';
import { jobOf, WebhookDispatcher } from './dispatcher.js';
import { applyLease, DELIVERY_LEASE, newLease } from '../../store/lease.js';
import { newDelivery } from '../../store/repositories/webhook-deliveries.js';
import { envelopeBody, WebhookPublisher } from './publisher.js';
import { WebhookSubscriptions } from './subscriptions.js';

export interface WebhooksOptions {
  config: Config;
  log: Logger;
  clock: () => number;
  random?: Random;
  /** How often the store is searched for due retries and orphaned claims. */
  pollMs?: number;
  /** Other processes share the store: their claims may be live, and they change subscriptions too. */
  sharedStore: boolean;
  /** How webhook hosts are resolved (the system resolver unless a test gives its own). */
  resolve?: Resolve;
  /** Delivery attempts, for the metrics. */
  observer?: Observer;
}

/** Subscriptions changed by other processes sharing the store show up within this. */
const SUBSCRIPTION_REFRESH_MS = 5000;
const RETENTION_SWEEP_MS = 3600_000;

export class WebhooksService implements EventSink {
  readonly subscriptions: WebhookSubscriptions;
  private readonly deliveries: WebhookDeliveriesRepo;
  private readonly events: WebhookEventsRepo;
  private readonly subscriptionsRepo: WebhookSubscriptionsRepo;
  private readonly dispatcher: WebhookDispatcher;
  private readonly publisher: WebhookPublisher;
  private readonly http: SafeHttp;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    store: Store,
    private readonly options: WebhooksOptions,
  ) {
    const { config, log, clock } = options;
    this.http = new SafeHttp({ allowLoopback: config.network.allowLoopbackUrls, timeoutMs: config.webhooks.timeoutMs, resolve: options.resolve });
    this.deliveries = new WebhookDeliveriesRepo(store);
    this.events = new WebhookEventsRepo(store);
    this.subscriptionsRepo = new WebhookSubscriptionsRepo(store);
    this.subscriptions = new WebhookSubscriptions(this.subscriptionsRepo, this.deliveries, this.events, this.http, {
      defaultTimeoutMs: config.webhooks.timeoutMs,
      disableAfterDays: config.webhooks.disableAfterDays,
      clock,
      log,
    });
    this.dispatcher = new WebhookDispatcher(this.deliveries, this.events, this.subscriptions, this.http, {
      retryScheduleSeconds: config.webhooks.retryScheduleSeconds,
      perEndpoint: config.webhooks.perEndpointConcurrency,
      maxConcurrency: config.webhooks.maxConcurrency,
      pollMs: options.pollMs ?? 250,
      clock,
      random: options.random ?? Math.random,
      log,
      observer: options.observer,
    });
    this.subscriptions.onResumed = () => this.dispatcher.poke();
    this.publisher = new WebhookPublisher(this.subscriptions.cache, this.events, this.deliveries, this.dispatcher, clock);
  }

  async init(): Promise<void> {
    await Promise.all([this.subscriptionsRepo.init(), this.deliveries.init()]);
    await this.subscriptions.load();
  }

  wants(instanceId: string, type: EventType): boolean {
    return this.publisher.wants(instanceId, type);
  }

  publish(instanceId: string, events: DomainEvent[]): Promise<void> {
    return this.publisher.publish(instanceId, events);
  }

  /** Dispatcher, subscription refresh (shared store) and retention, started with the app and stopped before the store closes. */
  worker(): Worker {
    return {
      name: 'webhooks',
      start: async () => {
        // a store that serves one process: every claim still open belongs to a dead process
        if (!this.options.sharedStore) await this.deliveries.releaseAll(this.options.clock());
        this.dispatcher.start();
        if (this.options.sharedStore) this.every(SUBSCRIPTION_REFRESH_MS, () => this.subscriptions.load());
        this.every(RETENTION_SWEEP_MS, () => this.expire());
      },
      stop: async () => {
        for (const t of this.timers.splice(0)) clearInterval(t);
        await this.dispatcher.stop();
        this.http.close();
      },
    };
  }

  async deliveriesOf(instance: InstanceDoc, subscriptionId: string, filter: DeliveryListFilter, page: number, limit: number): Promise<{ items: WebhookDeliveryDoc[]; total: number }> {
    await this.subscriptions.get(instance._id, subscriptionId);
    const [items, total] = await Promise.all([this.deliveries.list(subscriptionId, filter, page, limit), this.deliveries.count(subscriptionId, filter)]);
    return { items, total };
  }

  /** One delivery with the exact body sent (null once the event is past retention). */
  async delivery(instance: InstanceDoc, subscriptionId: string, deliveryId: string): Promise<{ delivery: WebhookDeliveryDoc; body: string | null }> {
    await this.subscriptions.get(instance._id, subscriptionId);
    const d = await this.deliveries.byId(deliveryId);
    if (!d || d.subscription_id !== subscriptionId) throw new NotFoundError('delivery');
    return { delivery: d, body: (await this.events.byId(d.event_id))?.body ?? null };
  }

  /** Sends the recorded event again (same id and body), as a fresh round of attempts. */
  async redeliver(instance: InstanceDoc, subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryDoc> {
    const { delivery, body } = await this.delivery(instance, subscriptionId, deliveryId);
    if (!this.subscriptions.cache.get(subscriptionId)?.enabled) throw new ConflictError('the webhook is disabled; enable it first (POST …/toggle)');
    if (body === null) throw new ConflictError('the event is past the retention period and can no longer be sent');
    if (delivery.status === 'processing') throw new ConflictError('the delivery is being attempted right now');
    const updated = await this.deliveries.redeliver(deliveryId, this.options.clock());
    if (!updated) throw new ConflictError('the delivery is being attempted right now');
    this.dispatcher.enqueue([updated]);
    return updated;
  }

  /** A signed `webhook.test` ping, attempted once right now; recorded like any delivery. */
  async test(instance: InstanceDoc, subscriptionId: string): Promise<{ delivery: WebhookDeliveryDoc; body: string }> {
    const sub = await this.subscriptions.get(instance._id, subscriptionId);
    const now = this.options.clock();
    const id = newId();
    const body = envelopeBody({
      id,
      type: 'webhook.test',
      instance_id: instance._id,
      timestamp: new Date(now).toISOString(),
      data: { subscription_id: sub._id, message: 'Test ping from tucan. Answer 2xx to acknowledge.' },
    });
    const lease = newLease(now, sub.timeout_ms + 10_000);
    const doc: WebhookDeliveryDoc = applyLease({ ...newDelivery({ instance_id: instance._id, subscription_id: sub._id, event_id: id, event_type: 'webhook.test' }, now), test: true }, DELIVERY_LEASE, lease);
    await Promise.all([this.events.insertMany([{ _id: id, instance_id: instance._id, type: 'webhook.test', body, created_at: now }]), this.deliveries.insertMany([doc])]);
    await this.dispatcher.attemptClaimed(jobOf(doc, body), lease.token);
    return { delivery: (await this.deliveries.byId(doc._id)) ?? doc, body };
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    const t = setInterval(() => void task().catch((err) => this.options.log.warn({ err }, 'webhook maintenance failed')), ms);
    t.unref();
    this.timers.push(t);
  }

  /** Retention: deliveries and event bodies older than webhooks.retentionDays. */
  private async expire(): Promise<void> {
    const now = this.options.clock();
    const before = now - this.options.config.webhooks.retentionDays * 86_400_000;
    await this.deliveries.expire(before, now);
    await this.events.purgeBefore(before);
  }
}
