/**
 * A per-instance value built from stored documents (the compiled rules, the
 * compiled flows), cached until they change. Local changes drop it at once
 * (invalidate); changes made by another process sharing the store drop
 * every value at the next invalidateAll() (called when the store reports a
 * change), or are noticed through the instance's version counter, read at
 * most every `checkMs`. While the value is fresh, get() returns it, not a
 * promise: the pipeline's per-message path never awaits it.
 */
export interface VersionedSource<T> {
  version(instanceId: string): Promise<number>;
  build(instanceId: string): Promise<T>;
}

interface Entry<T> {
  version: number;
  value: T;
  checkedAt: number;
  /** The invalidateAll() count when it was built: an older one is rebuilt. */
  epoch: number;
}

export class VersionedCache<T> {
  private readonly cache = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, { epoch: number; pending: Promise<T> }>();
  /** Bumped by every local change, so a load that started before it is not cached. */
  private readonly generation = new Map<string, number>();
  private epoch = 0;

  constructor(
    private readonly source: VersionedSource<T>,
    private readonly clock: () => number,
    private readonly checkMs = 2000,
  ) {}

  get(instanceId: string): Promise<T> | T {
    const entry = this.cache.get(instanceId);
    if (entry && entry.epoch === this.epoch && this.clock() - entry.checkedAt < this.checkMs) return entry.value;
    const inFlight = this.loading.get(instanceId);
    // a load started before the last invalidateAll() may build what it invalidated
    if (inFlight && inFlight.epoch === this.epoch) return inFlight.pending;
    const epoch = this.epoch;
    const pending: Promise<T> = this.load(instanceId, entry, epoch).finally(() => {
      if (this.loading.get(instanceId)?.pending === pending) this.loading.delete(instanceId);
    });
    this.loading.set(instanceId, { epoch, pending });
    return pending;
  }

  invalidate(instanceId: string): void {
    this.cache.delete(instanceId);
    this.generation.set(instanceId, (this.generation.get(instanceId) ?? 0) + 1);
  }

  /**
   * Documents changed somewhere, for some instance: every value is rebuilt
   * when next asked for. A rebuild, not a version check: another process
   * bumps the version and changes the documents in separate commits, so the
   * version may be new while a document is not yet.
   */
  invalidateAll(): void {
    this.epoch++;
  }

  private async load(instanceId: string, previous: Entry<T> | undefined, epoch: number): Promise<T> {
    const generation = this.generation.get(instanceId) ?? 0;
    const version = await this.source.version(instanceId);
    const reusable = previous && previous.epoch === epoch && previous.version === version;
    const value = reusable ? previous.value : await this.source.build(instanceId);
    // a value built before a change is returned to its callers but not kept
    if ((this.generation.get(instanceId) ?? 0) === generation && epoch === this.epoch) this.cache.set(instanceId, { version, value, checkedAt: this.clock(), epoch });
    return value;
  }
}
