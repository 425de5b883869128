/** Two nodes on one PostgreSQL schema count one client's requests together. */
import { expect } from 'chai';
import { PgStore } from '../../store/postgres/pg-store.js';
import { postgresUrl } from '../../test-support/store-backends.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

const pg = postgresUrl();

(pg.ok ? describe : describe.skip)('rate limits shared by the nodes', function () {
  this.timeout(30_000);
  const schema = `rl_${process.pid}_${Date.now()}`;
  const url = pg.ok ? `${pg.url}${pg.url.includes('?') ? '&' : '?'}schema=${schema}` : '';
  const config = (nodeId: string) => ({ store: { postgresUrl: url }, http: { rateLimit: { windowSeconds: 60, max: 6 } }, cluster: { nodeId } });
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    a = await startTestServer({ config: config('rl-a') });
    b = await startTestServer({ config: config('rl-b') });
  });
  after(async () => {
    await a?.close({ cleanup: true });
    await b?.close({ cleanup: true });
    const admin = await PgStore.connect(url);
    await admin.dropSchema();
    await admin.close();
  });

  it('refuses the request past the limit whichever node it reaches', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await (i % 2 === 0 ? a : b).request('GET', '/openapi.json')).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 429]);
  });
});
