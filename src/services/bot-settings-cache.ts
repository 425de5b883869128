/**
 * Instance settings for the inbound pipeline without a store read per
 * message: changes made through this process are applied at once (the
 * instances service reports them); changes made by another process sharing
 * the database are picked up within TTL_MS.
 */
import type { BotSettings } from '../domain/settings.js';
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';

const TTL_MS = 2000;

interface Entry {
  settings: BotSettings;
  loadedAt: number;
}

export class BotSettingsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<BotSettings | null>>();
  private generation = 0;

  constructor(
    private readonly repo: InstancesRepo,
    private readonly clock: () => number,
  ) {}

  /** Null when the instance no longer exists. */
  get(instanceId: string): Promise<BotSettings | null> | BotSettings {
    const entry = this.entries.get(instanceId);
    if (entry && this.clock() - entry.loadedAt < TTL_MS) return entry.settings;
    let pending = this.loading.get(instanceId);
    if (!pending) {
      const generation = this.generation;
      pending = this.repo
        .byId(instanceId)
        .then((doc) => {
          if (doc && generation === this.generation) this.entries.set(instanceId, { settings: doc.settings, loadedAt: this.clock() });
          if (!doc) this.entries.delete(instanceId);
          return doc?.settings ?? null;
        })
        .finally(() => this.loading.delete(instanceId));
      this.loading.set(instanceId, pending);
    }
    return pending;
  }

  changed(instance: InstanceDoc): void {
    this.generation++;
    this.entries.set(instance._id, { settings: instance.settings, loadedAt: this.clock() });
  }

  forget(instanceId: string): void {
    this.generation++;
    this.entries.delete(instanceId);
  }
}
