/**
 * Two tucan nodes on one PostgreSQL schema, with the real Baileys socket
 * against the WhatsApp double: the node running a linked number stops
 * renewing and its socket drops (as when it is killed); the other node takes
 * the instance over once the lease ran out and logs in with the stored link,
 * with no new scan, and the number keeps answering.
 */
import { expect } from 'chai';
import { nodeConfig, onPostgres } from '../../../test-support/postgres-suite.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { startWaDouble, type WaDouble } from '../../../test-support/wa-double/double.js';
import { linkByQr, waitForStatus } from '../../../test-support/wa-double/tucan-link.js';
import { eventually } from '../../../test-support/webhook-receiver.js';

onPostgres('WhatsApp double: a linked number moves to another node', function (url) {
  this.timeout(90_000);
  let double: WaDouble;
  let a: TestServer;
  let b: TestServer;
  const node = (nodeId: string) =>
    startTestServer({ config: nodeConfig(url, nodeId, { baileys: { webSocketUrl: double.url, reconnectBaseMs: 20, reconnectMaxMs: 200 }, cluster: { leaseMs: 3000, renewMs: 500 } }) });

  before(async () => {
    double = await startWaDouble();
    a = await node('node-a');
    b = await node('node-b');
  });
  after(async () => {
    await a?.close({ cleanup: true });
    await b?.close({ cleanup: true });
    await double?.close();
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
