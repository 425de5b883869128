/**
 * A small in-memory LRU with an optional time-to-live, used wherever the
 * engine keeps something in memory (auth keys, group metadata, retry
 * counters). Bounded on purpose: unbounded caches with a timer per entry are
 * one of Baileys' known memory problems (fact sheet §10), so this one has no
 * timers at all — expiry is checked on read.
 */
import type { CacheStore } from '@whiskeysockets/baileys';

export interface BoundedCacheOptions {
  maxEntries: number;
  ttlMs?: number;
  clock?: () => number;
}

export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number | null;
  private readonly clock: () => number;

  constructor(options: BoundedCacheOptions) {
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs ?? null;
    this.clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  get(key: string): V | undefined {
    return this.lookup(key)?.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.clock() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private lookup(key: string): { value: V; at: number } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.ttlMs !== null && this.clock() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    // refresh recency without refreshing the age
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }
}

/** Baileys' CacheStore contract (msgRetryCounterCache) over a BoundedCache. */
export function cacheStore(cache: BoundedCache<unknown>): CacheStore {
  return {
    get: <T>(key: string) => cache.get(key) as T | undefined,
    set: <T>(key: string, value: T) => {
      cache.set(key, value);
    },
    del: (key: string) => {
      cache.delete(key);
    },
    flushAll: () => cache.clear(),
  };
}
