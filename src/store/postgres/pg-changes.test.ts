/**
 * What the contract suite cannot provoke on every backend: the LISTEN
 * connection dropping. Its watchers are called once when it is back (what
 * was sent meanwhile is lost), and later writes are heard again.
 */
import { expect } from 'chai';
import { postgresUrl } from '../../test-support/store-backends.js';
import { newId } from '../port.js';
import { channelOf } from './pg-changes.js';
import { PgStore } from './pg-store.js';

const pg = postgresUrl();

if (!pg.ok) {
  describe('PostgreSQL change notification', () => {
    it('is skipped because PostgreSQL is not reachable', function () {
      if (process.env.TUCAN_REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here (TUCAN_REQUIRE_POSTGRES=1) but ${pg.reason}`);
      console.log(`      (PostgreSQL change notification skipped: ${pg.reason}; set TUCAN_TEST_POSTGRES_URL)`);
      this.skip();
    });
  });
}

(pg.ok ? describe : describe.skip)('PostgreSQL change notification', function () {
  this.timeout(20_000);
  const schema = `chg_${process.pid}_${Date.now()}`;
  let store: PgStore;
  let writer: PgStore;

  before(async () => {
    if (!pg.ok) return;
    store = await PgStore.connect(pg.url, { schema });
    writer = await PgStore.connect(pg.url, { schema });
  });
  after(async () => {
    await writer?.close();
    await store?.dropSchema();
    await store?.close();
  });

  async function until(check: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('calls every watcher once after its LISTEN connection is cut, then hears writes again', async () => {
    let calls = 0;
    const stop = store.watch('things', () => calls++);
    await until(() => calls === 1); // the call owed to a new watcher
    await writer.collection('things').insertOne({ _id: newId() });
    await until(() => calls === 2);

    // the server ends the listening backend, as a restart or a network cut would
    const cut = await writer.pool.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_stat_activity WHERE query ILIKE $1)', [`LISTEN "${channelOf(schema)}"`]);
    expect(cut.rowCount).to.equal(1);
    await until(() => calls === 3);

    await writer.collection('things').insertOne({ _id: newId() });
    await until(() => calls === 4);
    stop();
  });

  it('keeps stores on two schemas apart, and the schema name may be long', async () => {
    const long = `chg_${'x'.repeat(30)}_${process.pid}_${Date.now()}`;
    const other = await PgStore.connect(pg.ok ? pg.url : '', { schema: long });
    try {
      expect(long.length + 'tucan_changes_'.length).to.be.above(63);
      expect(channelOf(long).length).to.be.at.most(63);
      let here = 0;
      let there = 0;
      const stopHere = store.watch('shared_name', () => here++);
      const stopThere = other.watch('shared_name', () => there++);
      await until(() => here === 1 && there === 1);
      await other.collection('shared_name').insertOne({ _id: newId() });
      await until(() => there === 2);
      await new Promise((r) => setTimeout(r, 200));
      expect(here).to.equal(1);
      stopHere();
      stopThere();
    } finally {
      await other.dropSchema();
      await other.close();
    }
  });
});
