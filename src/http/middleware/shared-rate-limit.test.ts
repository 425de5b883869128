/** Two nodes on one PostgreSQL schema count one client's requests together. */
import { expect } from 'chai';
import { nodeConfig, onPostgres } from '../../test-support/postgres-suite.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

onPostgres('rate limits shared by the nodes', function (url) {
  this.timeout(30_000);
  const config = (nodeId: string) => nodeConfig(url, nodeId, { http: { rateLimit: { windowSeconds: 60, max: 6 } } });
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    a = await startTestServer({ config: config('rl-a') });
    b = await startTestServer({ config: config('rl-b') });
  });
  after(async () => {
    await a?.close({ cleanup: true });
    await b?.close({ cleanup: true });
  });

  it('refuses the request past the limit whichever node it reaches', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await (i % 2 === 0 ? a : b).request('GET', '/openapi.json')).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 429]);
  });
});
