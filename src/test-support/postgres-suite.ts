/**
 * A suite that needs PostgreSQL: declared on a fresh schema (dropped after
 * the suite's own after() hooks), or, without a server, one skipped test
 * saying why (a failure when TUCAN_REQUIRE_POSTGRES=1, as in CI).
 */
import { PgStore } from '../store/postgres/pg-store.js';
import { postgresUrl } from './store-backends.js';
import type { Config, DeepPartial } from '../config.js';

let suites = 0;

/** `body` gets the URL of its schema (DATABASE_URL with `?schema=`). */
export function onPostgres(title: string, body: (this: Mocha.Suite, url: string) => void): void {
  const pg = postgresUrl();
  if (!pg.ok) {
    describe(title, () => {
      it('is skipped because PostgreSQL is not reachable', function () {
        if (process.env.TUCAN_REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here (TUCAN_REQUIRE_POSTGRES=1) but ${pg.reason}`);
        console.log(`      (${title} skipped: ${pg.reason}; set TUCAN_TEST_POSTGRES_URL)`);
        this.skip();
      });
    });
    return;
  }
  const schema = `s_${process.pid}_${Date.now()}_${++suites}`;
  const url = `${pg.url}${pg.url.includes('?') ? '&' : '?'}schema=${schema}`;
  describe(title, function () {
    body.call(this, url);
    after(async () => {
      const admin = await PgStore.connect(url);
      await admin.dropSchema();
      await admin.close();
    });
  });
}

/** The configuration of one node of a test cluster on `url`. */
export function nodeConfig(url: string, nodeId: string, extra: DeepPartial<Config> = {}): DeepPartial<Config> {
  return { ...extra, store: { postgresUrl: url }, cluster: { nodeId, ...extra.cluster } };
}
