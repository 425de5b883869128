/**
 * Contacts on WhatsApp: number checks and profile lookups for one instance,
 * sharing one lookup pacer (see lookup-pacer.ts and number-checks.ts for the
 * pacing and caps).
 */
import type { Store } from '../../store/port.js';
import type { EngineManager } from '../engine-manager.js';
import { ContactInfoService, type ContactProfile } from './contact-info.js';
import { LookupPacer, realSleep, type PacerDeps } from './lookup-pacer.js';
import type { InstanceRef } from './engine-access.js';
import { NumberChecks, type CheckResult } from './number-checks.js';

export interface ContactsOptions {
  checkMaxPerRequest: number;
  checkBatchSize: number;
  checkIntervalMs: number;
  checkJitterMs: number;
  checkHourlyLimit: number;
  checkCacheSeconds: number;
}

export class ContactsService {
  private readonly pacer: LookupPacer;
  private readonly checks: NumberChecks;
  private readonly profiles: ContactInfoService;

  constructor(store: Store, engines: EngineManager, readonly options: ContactsOptions, deps: Partial<PacerDeps> = {}) {
    const clock = deps.clock ?? Date.now;
    this.pacer = new LookupPacer(
      { intervalMs: options.checkIntervalMs, jitterMs: options.checkJitterMs, maxQueued: options.checkMaxPerRequest * 4 },
      { clock, sleep: deps.sleep ?? realSleep, random: deps.random ?? Math.random },
    );
    this.checks = new NumberChecks(
      store,
      engines,
      this.pacer,
      { maxPerRequest: options.checkMaxPerRequest, batchSize: options.checkBatchSize, hourlyLimit: options.checkHourlyLimit, cacheSeconds: options.checkCacheSeconds },
      clock,
    );
    this.profiles = new ContactInfoService(engines, this.pacer);
  }

  init(): Promise<void> {
    return this.checks.init();
  }

  async checkOne(instance: InstanceRef, phone: string, field: string): Promise<CheckResult> {
    return (await this.checks.check(instance, [phone], field, true))[0];
  }

  checkMany(instance: InstanceRef, phones: string[], field: string): Promise<CheckResult[]> {
    return this.checks.check(instance, phones, field);
  }

  profile(instance: InstanceRef, phone: string, field: string): Promise<ContactProfile> {
    return this.profiles.profile(instance, phone, field);
  }

  purgeExpired(): Promise<number> {
    return this.checks.purgeExpired();
  }

  async removeInstance(instanceId: string): Promise<void> {
    this.pacer.forget(instanceId);
    await this.checks.removeInstance(instanceId);
  }
}
