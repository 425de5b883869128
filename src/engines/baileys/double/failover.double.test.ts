/**
 * Two tucan nodes on one PostgreSQL schema, with the real Baileys socket
 * against the WhatsApp double: the node running a linked number stops
 * renewing and its socket drops (as when it is killed); the other node takes
 * the instance over once the lease ran out and logs in with the stored link,
 * with no new scan, and the number keeps answering.
 */
import { expect } from 'chai';
import { PgStore } from '../../../store/postgres/pg-store.js';
import { postgresUrl } from '../../../test-support/store-backends.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { startWaDouble, type WaDouble } from '../../../test-support/wa-double/double.js';
import { linkByQr, waitForStatus } from '../../../test-support/wa-double/tucan-link.js';
import { eventually } from '../../../test-support/webhook-receiver.js';

const pg = postgresUrl();

if (!pg.ok) {
  describe('WhatsApp double: a linked number moves to another node', () => {
    it('is skipped because PostgreSQL is not reachable', function () {
      if (process.env.TUCAN_REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here (TUCAN_REQUIRE_POSTGRES=1) but ${pg.reason}`);
      console.log(`      (the Baileys failover on the double skipped: ${pg.reason}; set TUCAN_TEST_POSTGRES_URL)`);
      this.skip();
    });
  });
}

(pg.ok ? describe : describe.skip)('WhatsApp double: a linked number moves to another node', function () {
  this.timeout(90_000);
  const schema = `fail_${process.pid}_${Date.now()}`;
  const url = pg.ok ? `${pg.url}${pg.url.includes('?') ? '&' : '?'}schema=${schema}` : '';
  let double: WaDouble;
  let a: TestServer;
  let b: TestServer;
  const node = (nodeId: string) =>
    startTestServer({
      config: {
        store: { postgresUrl: url },
        auth: { jwtSecret: 'a-shared-secret-of-the-test-cluster-0123456789' },
        baileys: { webSocketUrl: double.url, reconnectBaseMs: 20, reconnectMaxMs: 200 },
        cluster: { nodeId, leaseMs: 3000, renewMs: 500 },
      },
    });

  before(async () => {
    double = await startWaDouble();
    a = await node('node-a');
    b = await node('node-b');
  });
  after(async () => {
    await a?.close({ cleanup: true });
    await b?.close({ cleanup: true });
    await double?.close();
    const admin = await PgStore.connect(url);
    await admin.dropSchema();
    await admin.close();
  });

  it('reconnects on the surviving node from the stored link, and keeps answering', async () => {
    const shop = double.addPhone('5491155550031', 'Shop');
    const ana = double.addPhone('5491155550032', 'Ana');
    const { token } = await a.owner();
    // linked through node a, which runs it
    const inst = await linkByQr(a, double, shop, token);
    // the status node b shows is what node a stored: written as the engine reported it
    const seenOnB = await eventually(async () => {
      const s = (await b.request('GET', `/v1/instances/${inst.id}/status`, { token })).body;
      return s.status === 'connected' && s.phone ? s : undefined;
    }, 10_000, 100);
    expect(seenOnB).to.include({ status: 'connected', node: 'node-a', phone: '5491155550031' });
    await b.request('POST', `/v1/instances/${inst.id}/rules`, { token, json: { name: 'menu', keywords: ['menu'], reply: { text: 'Menu: empanadas' } } });

    // node a dies: it renews nothing more and its socket drops
    const crashedAt = Date.now();
    await a.app.modules.cluster.ownership!.stop();
    await a.app.modules.engines.engines.get(inst.id)?.disconnect();

    const after = await waitForStatus(b, inst.id, token, 'connected', 20_000).then(() => eventually(async () => {
      const s = (await b.request('GET', `/v1/instances/${inst.id}/status`, { token })).body;
      return s.node === 'node-b' && s.status === 'connected' ? s : undefined;
    }, 20_000, 100));
    const failoverMs = Date.now() - crashedAt;
    console.log(`      Baileys instance reconnected on the other node ${failoverMs} ms after its node stopped (lease 3 s)`);
    expect(after.phone).to.equal('5491155550031');
    expect(after.has_qr).to.not.equal(true);
    // the same linked device logged in again: no second link
    expect(shop.devices.size).to.equal(1);

    // the number answers from its new node
    await double.messaging.send(ana, shop, { conversation: 'menu' });
    await eventually(async () => double.messaging.inbox(ana).find((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'Menu: empanadas'), 15_000);
    expect(double.messaging.failures).to.deep.equal([]);
  });
});
