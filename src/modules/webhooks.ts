/**
 * Webhooks: the durable, signed event delivery. Its EventSink is what the
 * pipeline and the outbox publish to (and the live event stream listens to); its engine bridge turns connection and
 * group events into webhook events (subscribed by the composition root).
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { withLiveEvents, type LiveEvents } from '../services/live-events.js';
import type { Observer } from '../services/metrics/observer.js';
import type { Resolve } from '../services/net/safe-http.js';
import { coalesced, onStoreChange } from '../services/store-changes.js';
import { engineEventBridge } from '../services/webhooks/engine-bridge.js';
import { WebhooksService } from '../services/webhooks/webhooks-service.js';
import type { Store } from '../store/port.js';
import type { InstancesRepo } from '../store/repositories/instances.js';
import { WEBHOOK_SUBSCRIPTIONS } from '../store/repositories/webhook-subscriptions.js';

export interface WebhooksDeps {
  config: Config;
  store: Store;
  instancesRepo: InstancesRepo;
  log: Logger;
  clock: () => number;
  /** How webhook hosts are resolved (tests); the system resolver otherwise. */
  resolve?: Resolve;
  /** Delivery attempts, for the metrics. */
  observer?: Observer;
  /** Listeners of the live event stream: every published event reaches them too. */
  live: LiveEvents;
}

export async function webhooksModule(d: WebhooksDeps) {
  const webhooks = new WebhooksService(d.store, { config: d.config, log: d.log, clock: d.clock, sharedStore: d.store.capabilities.sharedAcrossProcesses, resolve: d.resolve, observer: d.observer });
  await webhooks.init();
  // every producer publishes here: the durable webhook deliveries, and the live stream
  const sink = withLiveEvents(webhooks, d.live);
  // another node's subscription change is in the cache within moments, where the store reports it (the periodic reload stays)
  const reload = coalesced(
    () => webhooks.subscriptions.load(),
    (err) => d.log.warn({ err }, 'reloading the webhook subscriptions failed; the periodic reload will retry'),
  );
  const stopWatching = onStoreChange(d.store, [WEBHOOK_SUBSCRIPTIONS], reload.run);

  return {
    webhooks,
    /** The EventSink producers publish to. */
    sink,
    /** Handlers for the engine hub's connection and group events. */
    engineEvents: engineEventBridge(sink, d.instancesRepo),
    workers: [webhooks.worker()],
    forgetInstance: (instanceId: string) => webhooks.subscriptions.removeForInstance(instanceId),
    async close() {
      stopWatching();
      await reload.settled();
    },
  };
}

export type WebhooksModule = Awaited<ReturnType<typeof webhooksModule>>;
