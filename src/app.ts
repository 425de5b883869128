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
import type { Store } from './store/port.js';
import { InstancesRepo } from './store/repositories/instances.js';
import { OwnersRepo } from './store/repositories/owners.js';
import { SessionsRepo } from './store/repositories/sessions.js';

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
  const factories: Partial<Record<EngineKind, EngineFactory>> = {
    sandbox: (ctx) => new SandboxEngine({ ...ctx, record: sandbox, clock }),
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

  const services: Services = { config, log, store, clock, hub, engines, auth, instances, lifecycle, sandbox };
  // Background loops (dispatchers, schedulers, sweepers): started after the store opens, stopped before it closes.
  const workers: Worker[] = [intervalWorker('session-sweeper', 3600_000, () => sessions.purgeExpired(clock()), log)];

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
      await store.close();
    },
  };
}
