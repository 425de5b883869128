import path from 'node:path';
import { MongoStore } from './mongo/mongo-store.js';
import { SqliteStore } from './embedded/sqlite-store.js';
import type { Store } from './port.js';

export interface StoreConfig {
  mongodbUri: string | null;
  dataDir: string;
  sync: 'normal' | 'full';
}

/** MongoDB when a URI is configured, otherwise the embedded SQLite file in the data directory. */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.mongodbUri) return MongoStore.connect(config.mongodbUri);
  return new SqliteStore(path.join(config.dataDir, 'tucan.db'), { sync: config.sync });
}
