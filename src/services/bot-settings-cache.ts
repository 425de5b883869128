/**
 * Instance settings for the inbound pipeline without a store read per
 * message: changes made through this process are applied at once (the
 * instances service reports them); changes made by another process sharing
 * the database are picked up at the next invalidateAll() (the module calls
 * it when the store reports a change to the instances) or within TTL_MS.
 */
import type { BotSettings } from '../domain/settings.js';
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';

const TTL_MS = 2000;

interface Entry {
  settings: BotSettings;
  loadedAt: number;
  /** The invalidateAll() count when it was read: an older one is stale. */
  epoch: number;
}

export class BotSettingsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, { epoch: number; pending: Promise<BotSettings | null> }>();
  private generation = 0;
  private epoch = 0;

  constructor(
    private readonly repo: InstancesRepo,
    private readonly clock: () => number,
  ) {}

  /** Null when the instance no longer exists. */
  get(instanceId: string): Promise<BotSettings | null> | BotSettings {
    const entry = this.entries.get(instanceId);
    if (entry && entry.epoch === this.epoch && this.clock() - entry.loadedAt < TTL_MS) return entry.settings;
    const inFlight = this.loading.get(instanceId);
    // a read started before the last invalidateAll() may hold what it invalidated
    if (inFlight && inFlight.epoch === this.epoch) return inFlight.pending;
    const generation = this.generation;
    const epoch = this.epoch;
    const pending: Promise<BotSettings | null> = this.repo
      .byId(instanceId)
      .then((doc) => {
        // a read from before a change is returned to its callers but not kept
        if (doc && generation === this.generation && epoch === this.epoch) this.entries.set(instanceId, { settings: doc.settings, loadedAt: this.clock(), epoch });
        if (!doc) this.entries.delete(instanceId);
        return doc?.settings ?? null;
      })
      .finally(() => {
        if (this.loading.get(instanceId)?.pending === pending) this.loading.delete(instanceId);
      });
    this.loading.set(instanceId, { epoch, pending });
    return pending;
  }

  changed(instance: InstanceDoc): void {
    this.generation++;
    this.entries.set(instance._id, { settings: instance.settings, loadedAt: this.clock(), epoch: this.epoch });
  }

  forget(instanceId: string): void {
    this.generation++;
    this.entries.delete(instanceId);
  }

  /**
   * Some instance changed somewhere: every entry is stale and is read again
   * when next asked for. O(1), as the instances change every few seconds
   * (lease renewals), and only the instances in use are read again.
   */
  invalidateAll(): void {
    this.epoch++;
  }
}
