/**
 * Accounts and instances: owners with their login sessions, bot instances
 * with their tokens and settings, and each instance's connection lifecycle.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { AuthService } from '../services/auth.js';
import type { EngineManager } from '../services/engine-manager.js';
import { InstancesService } from '../services/instances.js';
import { intervalWorker } from '../services/interval-worker.js';
import { loadOrCreateJwtSecret } from '../services/jwt-secret.js';
import { LifecycleService } from '../services/lifecycle.js';
import { rateCountersFor } from '../services/rate-counters.js';
import type { Store } from '../store/port.js';
import { InstancesRepo } from '../store/repositories/instances.js';
import { OwnersRepo } from '../store/repositories/owners.js';
import { SessionsRepo } from '../store/repositories/sessions.js';
import { SharedSecretsRepo } from '../store/repositories/shared-secrets.js';

export interface AccountsDeps {
  config: Config;
  store: Store;
  engines: EngineManager;
  log: Logger;
  clock: () => number;
}

export async function accountsModule(d: AccountsDeps) {
  const owners = new OwnersRepo(d.store);
  const sessions = new SessionsRepo(d.store);
  const instancesRepo = new InstancesRepo(d.store);
  await Promise.all([owners.init(), sessions.init(), instancesRepo.init()]);

  const auth = new AuthService(owners, sessions, instancesRepo, {
    jwtSecret: await loadOrCreateJwtSecret(d.config.auth.jwtSecret, new SharedSecretsRepo(d.store), d.config.store.dataDir, d.clock()),
    tokenTtlSeconds: d.config.auth.tokenTtlSeconds,
    scrypt: d.config.auth.scrypt,
  }, d.clock);
  const instances = new InstancesService(instancesRepo, d.clock);
  const lifecycle = new LifecycleService(instancesRepo, d.engines, d.log, d.clock);
  // the per-IP limits (HTTP) count here: shared by the nodes when the store is PostgreSQL, else in memory
  const rateCounters = await rateCountersFor(d.store, d.log);

  return {
    auth,
    instances,
    /** Read by modules that look instances up by id without an owner (engine events, schedulers). */
    instancesRepo,
    lifecycle,
    /** Where the HTTP rate limits count (Api.rateCounters). */
    rateCounters,
    workers: [intervalWorker('session-sweeper', 3600_000, () => sessions.purgeExpired(d.clock()), d.log)],
  };
}

export type AccountsModule = Awaited<ReturnType<typeof accountsModule>>;
