/**
 * A per-instance value built from stored documents (the compiled rules, the
 * compiled flows), cached until they change. Local changes drop it at once
 * (invalidate); changes made by another process sharing the store are
 * noticed through the instance's version counter, read at most every
 * `checkMs`. While the value is fresh, get() returns it, not a promise: the
 * pipeline's per-message path never awaits it.
 */
export interface VersionedSource<T> {
  version(instanceId: string): Promise<number>;
  build(instanceId: string): Promise<T>;
}

interface Entry<T> {
  version: number;
  value: T;
  checkedAt: number;
}

export class VersionedCache<T> {
  private readonly cache = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T>>();
  /** Bumped by every local change, so a load that started before it is not cached. */
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly source: VersionedSource<T>,
    private readonly clock: () => number,
    private readonly checkMs = 2000,
  ) {}

  get(instanceId: string): Promise<T> | T {
    const entry = this.cache.get(instanceId);
    if (entry && this.clock() - entry.checkedAt < this.checkMs) return entry.value;
    let pending = this.loading.get(instanceId);
    if (!pending) {
      pending = this.load(instanceId, entry).finally(() => this.loading.delete(instanceId));
      this.loading.set(instanceId, pending);
    }
    return pending;
  }

  invalidate(instanceId: string): void {
    this.cache.delete(instanceId);
    this.generation.set(instanceId, (this.generation.get(instanceId) ?? 0) + 1);
  }

  private async load(instanceId: string, previous: Entry<T> | undefined): Promise<T> {
    const generation = this.generation.get(instanceId) ?? 0;
    const version = await this.source.version(instanceId);
    const value = previous && previous.version === version ? previous.value : await this.source.build(instanceId);
    if ((this.generation.get(instanceId) ?? 0) === generation) this.cache.set(instanceId, { version, value, checkedAt: this.clock() });
    return value;
  }
}
