/**
 * The composition root. The app is a chain of capability modules, built in
 * this order, each from the faces of the ones before it (src/modules/):
 *
 *   store → cluster → engines → accounts → webhooks → media → outbox → bot → http
 *
 * Everything one module hears from another is wired here, in one place:
 * the engine hub's subscribers, settings changes, instance deletion.
 * main.ts runs the app as a process; tests run it in-process on an
 * ephemeral port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import type { SocketFactory } from './engines/baileys/socket.js';
import type { EngineFactory, EngineKind } from './engines/engine.js';
import { createHttpApp } from './http/http-app.js';
import { accountsModule } from './modules/accounts.js';
import { botModule } from './modules/bot.js';
import { clusterModule } from './modules/cluster.js';
import { enginesModule } from './modules/engines.js';
import { mediaModule } from './modules/media.js';
import type { Module } from './modules/module.js';
import { metricsModule } from './modules/metrics.js';
import { outboxModule } from './modules/outbox.js';
import { webhooksModule } from './modules/webhooks.js';
import { InstanceDeletion } from './services/instance-deletion.js';
import { InstanceSetup } from './services/instance-setup.js';
import { LiveEvents } from './services/live-events.js';
import type { Resolve } from './services/net/safe-http.js';
import { openStore } from './store/open-store.js';

/** How long a stopping server lets open requests finish. */
const CLOSE_GRACE_MS = 2000;

export interface AppOptions {
  logger?: Logger;
  clock?: () => number;
  /** Extra or replacement engine factories (tests). */
  engineFactories?: Partial<Record<EngineKind, EngineFactory>>;
  /** Sockets under the real Baileys engine wiring (tests: a fake socket or the WhatsApp double). */
  baileysSocketFactory?: SocketFactory;
  /** How hosts of user-supplied URLs are resolved (tests: names that resolve to chosen addresses); the system resolver otherwise. */
  resolve?: Resolve;
}

export async function createApp(config: Config, options: AppOptions = {}) {
  const log = options.logger ?? createLogger(config.log);
  const clock = options.clock ?? Date.now;

  // Metrics: this app's Prometheus registry; the modules below report to its observer.
  const { metrics, measure } = metricsModule();
  // The store: the embedded SQLite file in the data directory, or a shared database; every operation timed.
  const store = measure(await openStore(config.store));
  // Cluster: with other nodes on the same store, which instances this node runs (each has exactly one owner).
  const cluster = await clusterModule({ config, store, log, clock });
  // Engines: one live WhatsApp transport per instance, and the hub their events go through.
  const engines = await enginesModule({ config, store, log, clock, engineFactories: options.engineFactories, baileysSocketFactory: options.baileysSocketFactory, placement: cluster.placement });
  // Owners, instances and each instance's connection lifecycle.
  const accounts = await accountsModule({ config, store, engines: engines.engines, log, clock });
  // Webhooks: durable, signed delivery; the sink every producer below publishes to, which the live event stream hears too.
  const live = new LiveEvents(clock);
  const webhooks = await webhooksModule({ config, store, instancesRepo: accounts.instancesRepo, log, clock, resolve: options.resolve, observer: metrics, live });
  // Media intake (URLs only through the SSRF-safe client), contacts, groups, text variation.
  const media = await mediaModule({ config, store, engines: engines.engines, log, clock, resolve: options.resolve });
  // Outbound: the durable outbox, bulk jobs, recurring sends, and the conversation record.
  const outbox = await outboxModule({
    config,
    store,
    instancesRepo: accounts.instancesRepo,
    engines: engines.engines,
    ports: { media: media.media, contacts: media.savedContacts, variator: media.variation, events: webhooks.sink },
    clock,
    log,
    observer: metrics,
  });
  // The bot: rules, the inbound pipeline and the test chat; inbound messages are recorded with their replies by the outbox.
  const bot = await botModule({
    store,
    instancesRepo: accounts.instancesRepo,
    engines: engines.engines,
    sink: webhooks.sink,
    record: outbox.conversations,
    replyOutcomes: outbox.awaitOutcome,
    mediaIntake: media.media,
    replyReferences: { media: media.media, contacts: media.savedContacts },
    clock,
    log,
    observer: metrics,
  });
  // What the state gauges show when scraped.
  metrics.readFrom({ outboxDepth: outbox.depth, engineStatuses: () => engines.engines.statusCounts() });

  // Engine events, each handled in this order (the hub awaits one handler before the next).
  const { hub } = engines;
  hub.on('connection', (id, update) => accounts.lifecycle.connectionChanged(id, update));
  hub.on('connection', (id, update) => webhooks.engineEvents.connection(id, update));
  hub.on('connection', (id, update) => outbox.pool.connected(id, update));
  hub.on('receipt', (id, receipts) => outbox.pool.applyReceipts(id, receipts));
  hub.on('groupParticipants', (id, update) => webhooks.engineEvents.groupParticipants(id, update));
  hub.on('inbound', (id, messages) => bot.pipeline.handle(id, messages));
  // Settings changed through this process reach the pipeline's cache at once.
  accounts.instances.onSettingsChanged((instance) => bot.settingsChanged(instance));
  // Instances coming to this node resume where their last owner left them; those leaving stop sending first, then close.
  cluster.ownership?.handle({
    acquired: async (ids) => {
      await Promise.all(ids.map((id) => outbox.pool.recover(id)));
      const { failed } = await accounts.lifecycle.resumeById(ids);
      // a lease this node cannot use goes back at once
      await Promise.all(failed.map((id) => engines.engines.remove(id)));
    },
    leaving: async (ids) => {
      await Promise.all(
        ids.map(async (id) => {
          await outbox.pool.remove(id);
          await accounts.lifecycle.stop(id);
          bot.release(id);
        }),
      );
    },
  });

  const modules: Module[] = [engines, accounts, webhooks, media, outbox, bot];
  // Deleting an instance: every module forgets it, in build order (the engine logs out first).
  const deletion = new InstanceDeletion(accounts.instancesRepo, modules, (instance) => engines.engines.assertHere(instance));
  const workers = modules.flatMap((m) => m.workers ?? []);

  // HTTP: routes get the faces they call, never the store, the hub or the engines.
  const { koa, openApi } = createHttpApp({
    config,
    log,
    health: { store: store.kind, ping: () => store.ping() },
    auth: accounts.auth,
    instances: accounts.instances,
    deletion,
    setup: new InstanceSetup(webhooks.webhooks.subscriptions, accounts.instances, accounts.lifecycle),
    lifecycle: accounts.lifecycle,
    webhooks: webhooks.webhooks,
    outbox: outbox.outbox,
    jobs: outbox.jobs,
    recurring: outbox.recurring,
    idempotency: outbox.idempotency,
    media: media.media,
    contacts: media.contacts,
    savedContacts: media.savedContacts,
    groups: media.groups,
    variation: media.variation,
    rules: bot.rules,
    flows: bot.flows,
    testChat: bot.testChat,
    settingsPreview: bot.settingsPreview,
    chats: bot.chats,
    live,
    metrics,
    cluster: cluster.directory,
    rateCounters: accounts.rateCounters,
  });
  const server = http.createServer(koa.callback());
  server.keepAliveTimeout = 65_000;
  let url = '';
  let closed = false;

  return {
    /** Each module's faces, for tests and benchmarks that drive the app from inside. */
    modules: { store, cluster, engines, accounts, webhooks, media, outbox, bot },
    openApi,
    get url() {
      return url;
    },
    /** Starts HTTP, then the workers, then reconnects the instances that were connected (with other nodes: this node's share of them). */
    async listen(): Promise<AddressInfo> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.server.port, config.server.host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
      url = `http://${host}:${address.port}`;
      cluster.listening(url);
      for (const w of workers) await w.start();
      let restored: number;
      if (cluster.ownership) {
        await cluster.ownership.start();
        restored = cluster.ownership.count();
      } else restored = await accounts.lifecycle.restore();
      log.info({ url, store: store.kind, node: cluster.placement.nodeId ?? undefined, data_dir: store.capabilities.sharedAcrossProcesses ? undefined : config.store.dataDir, restored }, 'tucan is listening');
      return address;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // no instance is taken or renewed while closing; the engines' close below releases their leases
      await cluster.ownership?.stop();
      // open event streams would keep the server from closing
      live.endAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // what is still open after a grace (a stream relayed to another node, a slow client) is cut
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      for (const w of [...workers].reverse()) await w.stop();
      for (const m of modules) await m.close?.();
      await cluster.close();
      await store.close();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
