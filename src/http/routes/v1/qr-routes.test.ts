import { expect } from 'chai';
import { fakeSocketFactory } from '../../../test-support/baileys/fake-socket.js';
import { until } from '../../../test-support/baileys/engine-harness.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const QR = '2@Y2FsbGVkIGEgcXIgcmVmZXJlbmNl,bm9pc2Uga2V5,aWRlbnRpdHkga2V5,YWR2IHNlY3JldA==';

describe('HTTP linking: QR code (JSON, PNG, HTML) and pairing code', () => {
  let t: TestServer;
  // the real Baileys engine as the app wires it, on fake sockets
  const fake = fakeSocketFactory();

  before(async () => {
    t = await startTestServer({ app: { baileysSocketFactory: fake.factory } });
  });
  after(() => t.close({ cleanup: true }));

  async function baileysInstance(token: string): Promise<{ id: string; token: string }> {
    const created = await t.request('POST', '/v1/instances', { token, json: { engine: 'baileys' } });
    expect(created.status).to.equal(201);
    return { id: created.body.id, token: created.body.access_token };
  }

  it('shows the QR as soon as Baileys emits one, in all three forms, until the device is linked', async () => {
    const owner = await t.owner();
    const inst = await baileysInstance(owner.token);
    const qrPath = `/v1/instances/${inst.id}/qr`;

    const none = await t.request('GET', qrPath, { token: owner.token });
    expect(none.status).to.equal(404);
    expect(none.headers.get('content-type')).to.contain('application/problem+json');
    expect(none.body.detail).to.match(/connect it first/);

    const connect = await t.request('POST', `/v1/instances/${inst.id}/connect`, { token: owner.token });
    expect(connect.status).to.equal(202);
    await until(() => fake.sockets.length > 0, 'a socket');
    const sock = fake.latest();
    sock.showQr(QR);
    await until(async () => (await t.request('GET', `/v1/instances/${inst.id}/status`, { token: owner.token })).body.has_qr === true, 'has_qr');

    // JSON: the raw string and a PNG data URL (the instance token works too)
    const json = await t.request('GET', qrPath, { apiKey: inst.token });
    expect(json.status).to.equal(200);
    expect(json.body).to.include({ qr: QR, status: 'qr' });
    expect(json.body.data_url).to.match(/^data:image\/png;base64,/);
    expect(Buffer.from(json.body.data_url.split(',')[1], 'base64').subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);
    expect(json.headers.get('cache-control')).to.equal('no-store');

    // PNG: the image itself
    const png = await fetch(`${t.url}${qrPath}?format=png`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(png.status).to.equal(200);
    expect(png.headers.get('content-type')).to.equal('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);

    // HTML: opened in a browser with ?access_token=, refreshing itself, leaking the token to nobody
    const html = await t.request('GET', `${qrPath}?format=html&access_token=${encodeURIComponent(inst.token)}`);
    expect(html.status).to.equal(200);
    expect(html.headers.get('content-type')).to.contain('text/html');
    expect(html.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(html.text).to.contain('<meta http-equiv="refresh" content="5">');
    expect(html.text).to.contain('<img src="data:image/png;base64,');
    expect(html.text).not.to.contain(inst.token);

    // a refreshed QR replaces the old one
    sock.showQr(`${QR}X`);
    await until(async () => (await t.request('GET', qrPath, { token: owner.token })).body.qr === `${QR}X`, 'the new QR');

    // linked: no QR any more, the page says so and stops refreshing
    sock.open({ id: '59170000002:4@s.whatsapp.net', name: 'Shop' });
    await until(async () => (await t.request('GET', `/v1/instances/${inst.id}/status`, { token: owner.token })).body.status === 'connected', 'connected');
    expect((await t.request('GET', qrPath, { token: owner.token })).status).to.equal(404);
    const linked = await t.request('GET', `${qrPath}?format=html&access_token=${encodeURIComponent(owner.token)}`);
    expect(linked.text).to.contain('Linked.').and.to.contain('+59170000002');
    expect(linked.text).not.to.contain('http-equiv="refresh"');

    // the HTML page keeps refreshing while there is nothing to show yet
    const other = await baileysInstance(owner.token);
    const waiting = await t.request('GET', `/v1/instances/${other.id}/qr?format=html`, { token: owner.token });
    expect(waiting.status).to.equal(200);
    expect(waiting.text).to.contain('http-equiv="refresh"').and.to.contain('disconnected');
  });

  it("hides other owners' instances and validates the format", async () => {
    const a = await t.owner('a');
    const b = await t.owner('b');
    const inst = await baileysInstance(a.token);
    expect((await t.request('GET', `/v1/instances/${inst.id}/qr`, { token: b.token })).status).to.equal(404);
    expect((await t.request('GET', `/v1/instances/${inst.id}/qr?format=html&access_token=${b.token}`)).status).to.equal(404);
    expect((await t.request('GET', `/v1/instances/${inst.id}/qr?format=html`)).status).to.equal(401);
    const bad = await t.request('GET', `/v1/instances/${inst.id}/qr?format=gif`, { token: a.token });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('query.format');
  });

  describe('pairing code', () => {
    it('returns the 8-character code once WhatsApp opens a linking session', async () => {
      const owner = await t.owner();
      const inst = await baileysInstance(owner.token);
      const before = fake.sockets.length;
      const pending = t.request('POST', `/v1/instances/${inst.id}/pairing-code`, { token: owner.token, json: { phone: '+591 7000-0003' } });
      await until(() => fake.sockets.length > before, 'a socket');
      fake.latest().showQr(QR);
      const res = await pending;
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ code: 'ABCD1234', phone: '59170000003' });
      expect(fake.latest().callsTo('requestPairingCode')[0].args).to.deep.equal(['59170000003']);
      // linking is under way: the instance is meant to be connected
      expect((await t.request('GET', `/v1/instances/${inst.id}`, { token: owner.token })).status).to.equal(200);
    });

    it('answers 400 naming the field for a bad number, 409 when linked or sandbox', async () => {
      const owner = await t.owner();
      const inst = await baileysInstance(owner.token);
      for (const phone of ['12', 'abc', '+999 1234567']) {
        const bad = await t.request('POST', `/v1/instances/${inst.id}/pairing-code`, { token: owner.token, json: { phone } });
        expect(bad.status, phone).to.equal(400);
        expect(bad.body.errors[0].field).to.equal('body.phone');
      }
      const missing = await t.request('POST', `/v1/instances/${inst.id}/pairing-code`, { token: owner.token, json: {} });
      expect(missing.status).to.equal(400);

      const sandbox = await t.sandboxInstance(owner.token);
      const notApplicable = await t.request('POST', `/v1/instances/${sandbox.id}/pairing-code`, { token: owner.token, json: { phone: '59170000004' } });
      expect(notApplicable.status).to.equal(409);

      const sockets = fake.sockets.length;
      await t.request('POST', `/v1/instances/${inst.id}/connect`, { token: owner.token });
      await until(() => fake.sockets.length > sockets, 'the socket');
      fake.latest().pairSuccess({ id: '59170000005:2@s.whatsapp.net', name: 'Linked' });
      fake.latest().open();
      await until(async () => (await t.request('GET', `/v1/instances/${inst.id}/status`, { token: owner.token })).body.status === 'connected', 'connected');
      const linked = await t.request('POST', `/v1/instances/${inst.id}/pairing-code`, { token: owner.token, json: { phone: '59170000005' } });
      expect(linked.status).to.equal(409);
      expect(linked.body.detail).to.match(/already linked/);
    });
  });
});
