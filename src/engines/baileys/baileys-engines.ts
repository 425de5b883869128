/**
 * Everything the composition root needs to run Baileys engines: the engine
 * factory, and the per-store pieces they share (auth documents, message
 * archive). Also installs the process-wide guard against libsignal's console
 * output before the first socket can exist.
 */
import type { Config } from '../../config.js';
import type { Random } from '../../domain/random.js';
import type { Logger } from '../../logger.js';
import type { Store } from '../../store/port.js';
import type { EngineFactory } from '../engine.js';
import { BaileysAuthRepo } from './auth-state.js';
import { BaileysEngine } from './baileys-engine.js';
import { installConsoleGuard } from './console-guard.js';
import { DEFAULT_DIRECTORY_OPTIONS, type DirectoryOptions } from './directory.js';
import { browserTuple, DEFAULT_BROWSER_NAME } from './browser-name.js';
import { bridgeLogger, type BaileysLogLevel } from './log-bridge.js';
import { MessageArchive } from './message-archive.js';
import { LidMappingsRepo } from '../../store/repositories/lid-mappings.js';
import { LidDirectory } from './lid-directory.js';
import { waVersionSource } from './wa-version.js';
import { realSocketFactory, type SocketFactory } from './socket.js';

export interface BaileysSetup {
  store: Store;
  config: Config['baileys'];
  log: Logger;
  clock?: () => number;
  random?: Random;
  /** Tests inject a fake socket; production builds the real one. */
  socketFactory?: SocketFactory;
  directory?: Partial<DirectoryOptions>;
  pairingWaitMs?: number;
  /** Baileys is chatty below warn; its info lines are diagnostics, not events. */
  logLevel?: BaileysLogLevel;
}

export interface BaileysEngines {
  factory: EngineFactory;
  auth: BaileysAuthRepo;
  archive: MessageArchive;
  /** Deletes an instance's auth state, archived messages and LID mappings (instance deletion). */
  forget(instanceId: string): Promise<void>;
}

export async function createBaileysEngines(setup: BaileysSetup): Promise<BaileysEngines> {
  const clock = setup.clock ?? Date.now;
  installConsoleGuard(setup.log);
  const auth = new BaileysAuthRepo(setup.store, clock);
  const archive = new MessageArchive(setup.store, clock);
  const lidMappings = new LidMappingsRepo(setup.store);
  await Promise.all([auth.init(), archive.init(), lidMappings.init()]);
  // one for every instance of this process: its memory is bounded as a whole
  const lids = new LidDirectory(lidMappings, clock);
  const baileysLogger = bridgeLogger(setup.log, { level: setup.logLevel ?? 'warn', clock });
  const socketFactory = setup.socketFactory ?? realSocketFactory({
      logger: baileysLogger,
      keepAliveIntervalMs: setup.config.keepAliveMs,
      browser: browserTuple(setup.config.browser ?? DEFAULT_BROWSER_NAME),
      ...(setup.config.webSocketUrl ? { waWebSocketUrl: setup.config.webSocketUrl } : {}),
    });
  // one source for every instance of this process: the fetched version is shared
  const version = waVersionSource({ configured: setup.config.waVersion, fetch: setup.config.fetchVersion, clock });
  const policy = { maxAttempts: setup.config.maxReconnectAttempts, baseMs: setup.config.reconnectBaseMs, maxMs: setup.config.reconnectMaxMs };
  const directory: DirectoryOptions = { ...DEFAULT_DIRECTORY_OPTIONS, clock, ...setup.directory };

  const factory: EngineFactory = (ctx) =>
    new BaileysEngine({
      ...ctx,
      auth,
      archive,
      lids,
      socketFactory,
      policy,
      directory,
      log: setup.log,
      baileysLogger,
      clock,
      newsletters: setup.config.newsletters,
      version,
      ...(setup.random ? { random: setup.random } : {}),
      ...(setup.pairingWaitMs ? { pairingWaitMs: setup.pairingWaitMs } : {}),
    });

  return {
    factory,
    auth,
    archive,
    async forget(instanceId) {
      await auth.clear(instanceId);
      await archive.clear(instanceId);
      await lids.forget(instanceId);
    },
  };
}
