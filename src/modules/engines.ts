/**
 * Engines: the WhatsApp transports (Baileys for real numbers, the sandbox
 * for tests, demos and the test chat), the manager that owns one live
 * engine per instance, and the hub their events go through. Subscribers are
 * added by the composition root, never here.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { BaileysEngines } from '../engines/baileys/baileys-engines.js';
import type { SocketFactory } from '../engines/baileys/socket.js';
import { forgetStoredState } from '../engines/baileys/stored-state.js';
import type { EngineFactory, EngineKind } from '../engines/engine.js';
import { SandboxEngine } from '../engines/sandbox/sandbox-engine.js';
import { SandboxRecord } from '../engines/sandbox/sandbox-record.js';
import { EngineHub } from '../services/engine-hub.js';
import { EngineManager } from '../services/engine-manager.js';
import type { Placement } from '../services/cluster/placement.js';
import type { Store } from '../store/port.js';
import { LidMappingsRepo } from '../store/repositories/lid-mappings.js';

export interface EnginesDeps {
  config: Config;
  store: Store;
  log: Logger;
  clock: () => number;
  /** Extra or replacement engine factories (tests). */
  engineFactories?: Partial<Record<EngineKind, EngineFactory>>;
  /** Sockets under the real Baileys engine wiring (tests: a fake socket or the WhatsApp double). */
  baileysSocketFactory?: SocketFactory;
  /** Which instances this node may run (every one, on a single process). */
  placement?: Placement;
}

export async function enginesModule(d: EnginesDeps) {
  const sandbox = new SandboxRecord(d.store);
  // the LID ↔ phone pairs Baileys instances learn (the outbox reads them for @lid recipients): removed with the instance
  const lids = new LidMappingsRepo(d.store);
  await Promise.all([sandbox.init(), lids.init()]);
  // Baileys: real linked numbers; auth state and archived messages live in the store. The library (about
  // 60 MB) is loaded when the first Baileys instance starts, not before.
  let baileys: BaileysEngines | null = null;
  let loading: Promise<BaileysEngines> | null = null;
  const loadBaileys = () =>
    (loading ??= import('../engines/baileys/baileys-engines.js').then(({ createBaileysEngines }) =>
      createBaileysEngines({ store: d.store, config: d.config.baileys, log: d.log, clock: d.clock, socketFactory: d.baileysSocketFactory }),
    ));
  const factories: Partial<Record<EngineKind, EngineFactory>> = {
    sandbox: (ctx) => new SandboxEngine({ ...ctx, record: sandbox, clock: d.clock }),
    baileys: (ctx) => {
      if (!baileys) throw new Error('the Baileys engine is not loaded yet (EngineManager.start loads it)');
      return baileys.factory(ctx);
    },
    ...d.engineFactories,
  };
  const loaders: Partial<Record<EngineKind, () => Promise<void>>> = d.engineFactories?.baileys ? {} : { baileys: async () => void (baileys = await loadBaileys()) };
  const hub = new EngineHub(d.log);
  const engines = new EngineManager(factories, hub, d.log, loaders, d.placement, d.clock);

  return {
    hub,
    engines,
    /** What sandbox engines sent and saw (tests, the bench). */
    sandbox,
    async forgetInstance(instanceId: string) {
      await engines.remove(instanceId, { logout: true });
      await sandbox.forget(instanceId);
      // the auth state goes even when no engine ran in this process (the engine's logout covers the running case)
      await (baileys ? baileys.forget(instanceId) : forgetStoredState(d.store, instanceId));
      await lids.removeInstance(instanceId);
    },
    /** Stops every engine of this process, keeping their links. */
    close: () => engines.shutdown(),
  };
}

export type EnginesModule = Awaited<ReturnType<typeof enginesModule>>;
