/**
 * The composition root: config → store → engines → services → HTTP.
 * main.ts runs it as a process; tests run it in-process on an ephemeral port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { SandboxEngine } from './engines/sandbox/sandbox-engine.js';
import { SandboxRecord } from './engines/sandbox/sandbox-record.js';
import { createBaileysEngines } from './engines/baileys/baileys-engines.js';
import type { SocketFactory } from './engines/baileys/socket.js';
import type { EngineFactory, EngineKind } from './engines/engine.js';
import { createHttpApp } from './http/http-app.js';
import { AuthService } from './services/auth.js';
import { EngineHub } from './services/engine-hub.js';
import { EngineManager } from './services/engine-manager.js';
import { InstancesService } from './services/instances.js';
import { loadOrCreateJwtSecret } from './services/jwt-secret.js';
import { LifecycleService } from './services/lifecycle.js';
import type { Services } from './services/services.js';
import { intervalWorker, type Worker } from './services/interval-worker.js';
import { openStore } from './store/open-store.js';
import { ContactsService } from './services/contacts/contacts-service.js';
import { GroupsService } from './services/contacts/groups.js';
import { SavedContactsService } from './services/contacts/saved-contacts.js';
import { MediaIntakeService } from './services/media/media-intake.js';
import { MediaStore } from './services/media/media-store.js';
import { SafeHttp } from './services/net/safe-http.js';
import { TextVariationService } from './services/variation/text-variator.js';
import { bridgeEngineEvents } from './services/webhooks/engine-bridge.js';
import { WebhooksService } from './services/webhooks/webhooks-service.js';
import { createOutboxModule } from './services/outbox/outbox-module.js';
import { emptyPorts } from './services/outbox/outbox-ports.js';
import type { Store } from './store/port.js';
import { InstancesRepo } from './store/repositories/instances.js';
import { OwnersRepo } from './store/repositories/owners.js';
import { SessionsRepo } from './store/repositories/sessions.js';
import { createBotModule } from './services/bot-module.js';

export interface App {
  services: Services;
  openApi: () => Record<string, unknown>;
  /** Starts HTTP, reconnects instances and starts the workers. */
  listen(): Promise<AddressInfo>;
  readonly url: string;
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  clock?: () => number;
  /** Extra or replacement engine factories (tests). */
  engineFactories?: Partial<Record<EngineKind, EngineFactory>>;
  /** Fake WhatsApp sockets under the real Baileys engine wiring (tests). */
  baileysSocketFactory?: SocketFactory;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config.log);
  const clock = options.clock ?? Date.now;
  const store: Store = await openStore(config.store);

  const owners = new OwnersRepo(store);
  const sessions = new SessionsRepo(store);
  const instancesRepo = new InstancesRepo(store);
  const sandbox = new SandboxRecord(store);
  await Promise.all([owners.init(), sessions.init(), instancesRepo.init(), sandbox.init()]);

  const hub = new EngineHub(log);
  // Baileys: real linked numbers; auth state and archived messages live in the store.
  const baileys = await createBaileysEngines({ store, config: config.baileys, log, clock, socketFactory: options.baileysSocketFactory });
  const factories: Partial<Record<EngineKind, EngineFactory>> = {
    sandbox: (ctx) => new SandboxEngine({ ...ctx, record: sandbox, clock }),
    baileys: baileys.factory,
    ...options.engineFactories,
  };
  const engines = new EngineManager(factories, hub, log);
  const auth = new AuthService(owners, sessions, instancesRepo, {
    jwtSecret: loadOrCreateJwtSecret(config.auth.jwtSecret, config.store.dataDir),
    tokenTtlSeconds: config.auth.tokenTtlSeconds,
    scrypt: config.auth.scrypt,
  }, clock);
  const instances = new InstancesService(instancesRepo, clock);
  const lifecycle = new LifecycleService(instancesRepo, engines, hub, log, clock);
  instances.onDeleted(async (instance) => {
    await engines.remove(instance._id, { logout: true });
    await sandbox.forget(instance._id);
  });
  // the auth state goes even when no engine ran in this process (the engine's logout covers the running case)
  instances.onDeleted((instance) => baileys.forget(instance._id));
  // Webhooks: the EventSink the pipeline and the outbox publish to; connection and group events are bridged from the hub.
  const webhooks = new WebhooksService(store, { config, log, clock });
  await webhooks.init();
  bridgeEngineEvents(hub, webhooks, instancesRepo);
  instances.onDeleted((instance) => webhooks.subscriptions.removeForInstance(instance._id));
  // Media intake (URLs only through the SSRF-safe client), contacts, groups and text variation.
  const mediaHttp = new SafeHttp({ allowLoopback: config.network.allowLoopbackUrls, timeoutMs: config.network.fetchTimeoutMs });
  const mediaStore = new MediaStore(store);
  const media = new MediaIntakeService(mediaStore, mediaHttp, config.media, clock);
  const contacts = new ContactsService(store, engines, config.contacts, { clock });
  const savedContacts = new SavedContactsService(store, clock);
  const groups = new GroupsService(engines);
  const variation = new TextVariationService();
  await Promise.all([mediaStore.init(), contacts.init(), savedContacts.init()]);
  instances.onDeleted(async (instance) => {
    await media.removeInstance(instance._id);
    await contacts.removeInstance(instance._id);
    await savedContacts.removeInstance(instance._id);
  });
  // Outbound: durable outbox, dispatchers, bulk jobs, recurring sends, idempotency keys, the bot's reply sender.
  // Ports are read at use: media intake, saved contacts and text variation are set here once they are built.
  const outboxPorts = { ...emptyPorts(), events: webhooks, media, contacts: savedContacts, variator: variation };
  const outbound = await createOutboxModule({ config, store, instancesRepo, engines, hub, ports: outboxPorts, clock, log });
  instances.onDeleted((instance) => outbound.forgetInstance(instance._id));
  // Inbound: rules, the pipeline (hub 'inbound' → decide → store, webhooks, replies) and the test chat.
  // Replies go through the durable outbox, stored with the inbound message in one ordered insert.
  const bot = await createBotModule({
    store,
    instances,
    instancesRepo,
    engines,
    hub,
    sink: webhooks,
    sender: outbound.replySender,
    replyOutcomes: (instanceId, id, ms) => outbound.awaitOutcome(instanceId, id, ms),
    clock,
    log,
  });
  instances.onDeleted((instance) => bot.forgetInstance(instance._id));

  const services: Services = { config, log, store, clock, hub, engines, auth, instances, lifecycle, sandbox, webhooks, outbox: outbound.outbox, jobs: outbound.jobs, recurring: outbound.recurring, idempotency: outbound.idempotency, media, contacts, savedContacts, groups, variation, rules: bot.rules, pipeline: bot.pipeline, testChat: bot.testChat };
  // Background loops (dispatchers, schedulers, sweepers): started after the store opens, stopped before it closes.
  const workers: Worker[] = [intervalWorker('session-sweeper', 3600_000, () => sessions.purgeExpired(clock()), log), webhooks.worker(), ...outbound.workers,
    intervalWorker('media-sweeper', config.media.sweepIntervalSeconds * 1000, async () => {
      await media.sweep();
      await contacts.purgeExpired();
    }, log),
  ];

  const { koa, openApi } = createHttpApp(services);
  const server = http.createServer(koa.callback());
  server.keepAliveTimeout = 65_000;
  let url = '';
  let closed = false;

  return {
    services,
    openApi,
    get url() {
      return url;
    },
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.server.port, config.server.host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
      url = `http://${host}:${address.port}`;
      for (const w of workers) await w.start();
      const restored = await lifecycle.restore();
      log.info({ url, store: store.kind, data_dir: store.kind === 'embedded' ? config.store.dataDir : undefined, restored }, 'tucan is listening');
      return address;
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      for (const w of [...workers].reverse()) await w.stop();
      await engines.shutdown();
      mediaHttp.close();
      await store.close();
    },
  };
}
