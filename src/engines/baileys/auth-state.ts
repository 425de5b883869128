/**
 * Baileys auth state (creds and Signal keys) in tucan's store, so a restart
 * or a new container reconnects without a new scan, on SQLite and MongoDB
 * alike. This replaces `useMultiFileAuthState`, which Baileys itself says not
 * to use in production.
 *
 * - One document per (instance, key type, key id). Ids contain `.`, `:` and
 *   `@`, so they are stored as field values, never as field paths.
 * - Values are serialised with `BufferJSON` into a string: Buffers survive
 *   the round trip, and no key inside a value can be mistaken for a path.
 * - `null` (or undefined) in `set` deletes the key — Baileys' contract.
 * - Every key type Baileys asks for is stored the same way, so the v7 types
 *   (`lid-mapping`, `device-list`, `tctoken`) need no special casing; only
 *   `app-state-sync-key` is rebuilt as a protobuf object, as Baileys expects.
 * - An in-memory LRU sits in front, including "known absent" entries, because
 *   Baileys asks for many ids that do not exist (sessions, pre-keys).
 */
import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import type { Doc, Store } from '../../store/port.js';
import { BoundedCache } from './bounded-cache.js';

import { AUTH_COLLECTION } from './stored-state.js';

export { AUTH_COLLECTION } from './stored-state.js';
const CREDS = 'creds';
/** Keys cached per instance; the first login alone writes ~800 pre-keys. */
const CACHE_ENTRIES = 5000;

export interface AuthDoc extends Doc {
  instance_id: string;
  /** A Signal key type, or 'creds'. */
  type: string;
  key_id: string;
  /** BufferJSON-serialised value. */
  value: string;
  updated_at: number;
}

export function serialize(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

export function deserialize<T>(type: string, text: string): T {
  const value = JSON.parse(text, BufferJSON.reviver) as unknown;
  // protobuf-typed values must come back as protobuf objects (Baileys calls their methods)
  if (type === 'app-state-sync-key') return proto.Message.AppStateSyncKeyData.fromObject(value as object) as T;
  return value as T;
}

/** The auth documents of every instance; one per store. */
export class BaileysAuthRepo {
  private readonly coll;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {
    this.coll = store.collection<AuthDoc>(AUTH_COLLECTION);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(AUTH_COLLECTION, [{ keys: { instance_id: 1, type: 1, key_id: 1 }, unique: true }]);
  }

  /** The instance's auth state: stored creds, or fresh ones for a first link. */
  /** `owns`: whether this process may still write the state (several nodes: the instance's lease holds). */
  async load(instanceId: string, owns: () => boolean = () => true): Promise<InstanceAuth> {
    const doc = await this.coll.findOne({ instance_id: instanceId, type: CREDS, key_id: CREDS });
    const creds = doc ? deserialize<AuthenticationCreds>(CREDS, doc.value) : initAuthCreds();
    return new InstanceAuth(instanceId, creds, this, owns);
  }

  /** Deletes everything stored for the instance (logout, deletion). */
  async clear(instanceId: string): Promise<number> {
    return this.coll.deleteMany({ instance_id: instanceId });
  }

  /** How many documents the instance has (tests and diagnostics). */
  count(instanceId: string): Promise<number> {
    return this.coll.countDocuments({ instance_id: instanceId });
  }

  async read(instanceId: string, type: string, ids: string[]): Promise<Map<string, string>> {
    const docs = await this.coll.find({ instance_id: instanceId, type, key_id: { $in: ids } });
    return new Map(docs.map((d) => [d.key_id, d.value]));
  }

  async write(instanceId: string, type: string, id: string, value: string | null): Promise<void> {
    const filter = { instance_id: instanceId, type, key_id: id };
    if (value === null) await this.coll.deleteOne(filter);
    else await this.coll.updateOne(filter, { $set: { value, updated_at: this.clock() } }, { upsert: true });
  }
}

/** One instance's live auth state, as handed to the socket. */
export class InstanceAuth {
  readonly state: AuthenticationState;
  private readonly cache = new BoundedCache<unknown>({ maxEntries: CACHE_ENTRIES });
  private readonly inflight = new Set<Promise<unknown>>();
  private credsWrite: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly instanceId: string,
    creds: AuthenticationCreds,
    private readonly repo: BaileysAuthRepo,
    /** A node that lost the instance (frozen past its lease) must not overwrite the keys its successor uses. */
    private readonly owns: () => boolean = () => true,
  ) {
    const keys: SignalKeyStore = {
      get: (type, ids) => this.getKeys(type, ids),
      set: (data) => this.setKeys(data),
      clear: () => this.clear(),
    };
    this.state = { creds, keys };
  }

  /**
   * Whether these creds belong to a linked device. `registered` alone is not
   * enough: Baileys sets it only in the pairing-code flow, while both flows end
   * in pair-success, which stores the signed `account` identity.
   */
  get linked(): boolean {
    return Boolean(this.state.creds.me?.id && this.state.creds.account);
  }

  /** Persists the whole creds object (Baileys merges each partial update into it first). */
  saveCreds(): Promise<void> {
    const next = this.credsWrite.then(() => (this.closed || !this.owns() ? undefined : this.repo.write(this.instanceId, CREDS, CREDS, serialize(this.state.creds))));
    // a failed write must not block the next one; the caller still sees the failure
    this.credsWrite = next.catch(() => undefined);
    return this.track(next);
  }

  /** Deletes the stored state; this object accepts no further writes (a late Baileys write must not resurrect keys). */
  async clear(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    this.cache.clear();
    await this.repo.clear(this.instanceId);
  }

  private async getKeys<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const out: { [id: string]: SignalDataTypeMap[T] } = {};
    const missing: string[] = [];
    for (const id of ids) {
      const key = cacheKey(type, id);
      if (!this.cache.has(key)) missing.push(id);
      else {
        const cached = this.cache.get(key);
        if (cached !== null) out[id] = cached as SignalDataTypeMap[T];
      }
    }
    if (missing.length > 0) {
      const found = await this.repo.read(this.instanceId, type, missing);
      for (const id of missing) {
        const text = found.get(id);
        const value = text === undefined ? null : deserialize<SignalDataTypeMap[T]>(type, text);
        this.cache.set(cacheKey(type, id), value);
        if (value !== null) out[id] = value;
      }
    }
    return out;
  }

  private async setKeys(data: SignalDataSet): Promise<void> {
    if (this.closed || !this.owns()) return;
    const writes: Promise<void>[] = [];
    for (const [type, values] of Object.entries(data) as [keyof SignalDataTypeMap, Record<string, unknown> | undefined][]) {
      for (const [id, value] of Object.entries(values ?? {})) {
        const absent = value === null || value === undefined;
        // the cache is updated first so a read racing this write already sees the new value
        this.cache.set(cacheKey(type, id), absent ? null : value);
        writes.push(this.repo.write(this.instanceId, type, id, absent ? null : serialize(value)));
      }
    }
    await this.track(Promise.all(writes));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    void promise.finally(() => this.inflight.delete(promise)).catch(() => undefined);
    return promise;
  }
}

function cacheKey(type: string, id: string): string {
  return `${type}\u0000${id}`;
}
