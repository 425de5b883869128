/**
 * Everything route handlers may call, built once by the composition root
 * (src/app.ts). Handlers parse, call one of these and format.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { SandboxRecord } from '../engines/sandbox/sandbox-record.js';
import type { Store } from '../store/port.js';
import type { AuthService } from './auth.js';
import type { EngineHub } from './engine-hub.js';
import type { EngineManager } from './engine-manager.js';
import type { InstancesService } from './instances.js';
import type { LifecycleService } from './lifecycle.js';

export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  clock: () => number;
  hub: EngineHub;
  engines: EngineManager;
  auth: AuthService;
  instances: InstancesService;
  lifecycle: LifecycleService;
  sandbox: SandboxRecord;
}
