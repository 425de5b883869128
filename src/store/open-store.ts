import path from 'node:path';
import { SqliteStore } from './embedded/sqlite-store.js';
import type { Store } from './port.js';

export interface StoreConfig {
  mongodbUri: string | null;
  postgresUrl: string | null;
  dataDir: string;
  sync: 'normal' | 'full';
}

/** One backend the factory can open: its code lives in its own folder beside embedded/ and mongo/. */
export interface StoreBackend {
  /** Matches the store's `kind`. */
  readonly name: string;
  /** Whether this configuration asks for this backend. */
  accepts(config: StoreConfig): boolean;
  open(config: StoreConfig): Promise<Store>;
}

/**
 * Every backend, in order of preference: the first that accepts the
 * configuration opens it. The embedded store needs nothing configured, so it
 * comes last. A new backend is its folder plus one entry here.
 */
export const STORE_BACKENDS: readonly StoreBackend[] = [
  // each driver is loaded only when it is used
  { name: 'postgres', accepts: (c) => Boolean(c.postgresUrl), open: async (c) => (await import('./postgres/pg-store.js')).PgStore.connect(c.postgresUrl!) },
  { name: 'mongodb', accepts: (c) => Boolean(c.mongodbUri), open: async (c) => (await import('./mongo/mongo-store.js')).MongoStore.connect(c.mongodbUri!) },
  { name: 'embedded', accepts: () => true, open: async (c) => new SqliteStore(path.join(c.dataDir, 'tucan.db'), { sync: c.sync }) },
];

/** PostgreSQL or MongoDB when a URL is configured, otherwise the embedded SQLite file in the data directory. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const backend = STORE_BACKENDS.find((b) => b.accepts(config));
  if (!backend) throw new Error('no store backend accepts this configuration');
  return backend.open(config);
}
