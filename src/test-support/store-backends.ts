/**
 * Runs a store-level suite on every backend: the embedded store always (a
 * fresh file in a temporary directory), MongoDB when MONGODB_URI is set, and
 * otherwise a visible skipped test saying why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../store/embedded/sqlite-store.js';
import { MongoStore } from '../store/mongo/mongo-store.js';
import type { Store } from '../store/port.js';

export type OpenBackend = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

export function onEveryBackend(name: string, suite: (label: string, open: OpenBackend) => void): void {
  suite('embedded (SQLite)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-store-'));
    const store = new SqliteStore(path.join(dir, 'test.db'));
    return {
      store,
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
  const mongoUri = process.env.MONGODB_URI;
  if (mongoUri) {
    suite('mongodb', async () => {
      const store = await MongoStore.connect(mongoUri, `tucan_${name}_${process.pid}_${Date.now()}`);
      return { store, cleanup: () => store.close() };
    });
  } else {
    describe(`${name}: mongodb`, () => {
      it('is skipped because MONGODB_URI is not set', function () {
        console.log(`      (MongoDB run of ${name} skipped: set MONGODB_URI to run it)`);
        this.skip();
      });
    });
  }
}
