import { expect } from 'chai';
import { fakeSocketFactory } from '../../../../test-support/baileys/fake-socket.js';
import { until } from '../../../../test-support/baileys/engine-harness.js';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { NO_QR_MESSAGE } from './connect-routes.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const QR = '2@c2VlZCAwMDAgcXIgcmVmZXJlbmNl,bm9pc2Uga2V5,aWRlbnRpdHkga2V5,YWR2IHNlY3JldA==';

describe('seed 000 dialect: linking (GET /whatsapp/connect, /whatsapp/connect/view)', () => {
  let t: TestServer;
  // the real Baileys engine as the app wires it, on fake sockets
  const fake = fakeSocketFactory();

  before(async () => {
    t = await startTestServer({ app: { baileysSocketFactory: fake.factory } });
  });
  after(() => t.close({ cleanup: true }));

  async function baileysInstance(): Promise<{ id: string; token: string; owner: string }> {
    const owner = await t.owner();
    const created = await t.request('POST', '/v1/instances', { token: owner.token, json: { engine: 'baileys', name: 'Kantuta' } });
    expect(created.status).to.equal(201);
    return { id: created.body.id, token: created.body.access_token, owner: owner.token };
  }

  it('starts linking an idle instance and answers with the QR as a PNG data URL, then with the seed message once linked', async () => {
    const inst = await baileysInstance();
    const before = fake.sockets.length;
    const pending = t.request('GET', '/whatsapp/connect', { apiKey: inst.token });
    await until(() => fake.sockets.length > before, 'a socket');
    const sock = fake.latest();
    sock.showQr(QR);
    const res = await pending;
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, status: 'qr' });
    expect(res.body.qrBase64).to.match(/^data:image\/png;base64,/);
    expect(Buffer.from(res.body.qrBase64.split(',')[1], 'base64').subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);
    expect(res.headers.get('cache-control')).to.equal('no-store');

    // the browser page, opened under the seed's global prefix with the token in the query
    const view = await t.request('GET', `/api/whatsapp/connect/view?access_token=${encodeURIComponent(inst.token)}`);
    expect(view.status).to.equal(200);
    expect(view.headers.get('content-type')).to.contain('text/html');
    expect(view.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(view.text).to.contain('<img src="data:image/png;base64,').and.to.contain('http-equiv="refresh"').and.to.contain('Dispositivos vinculados');
    expect(view.text).not.to.contain(inst.token);

    sock.open({ id: '59171234567:3@s.whatsapp.net', name: 'Kantuta POS' });
    await until(async () => (await t.request('GET', `/v1/instances/${inst.id}/status`, { apiKey: inst.token })).body.status === 'connected', 'connected');
    const linked = await t.request('GET', '/whatsapp/connect', { apiKey: inst.token });
    expect(linked.status).to.equal(200);
    expect(linked.body).to.deep.equal({ success: true, message: NO_QR_MESSAGE, status: 'connected' });
    const linkedView = await t.request('GET', `/whatsapp/connect/view?access_token=${encodeURIComponent(inst.token)}`);
    expect(linkedView.text).to.contain('WhatsApp vinculado').and.to.contain('+59171234567');
    expect(linkedView.text).not.to.contain('http-equiv="refresh"');
  });

  it('answers the seed message for an instance that is already linked (sandbox)', async () => {
    const owner = await t.owner();
    const inst = await t.sandboxInstance(owner.token);
    const res = await t.request('GET', '/whatsapp/connect', { apiKey: inst.token });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ success: true, message: 'WhatsApp ya está vinculado o el código se está generando de fondo...', status: 'connected' });
  });

  it('requires the instance token (deviation from @Public) and answers in the seed envelope', async () => {
    const res = await t.request('GET', '/whatsapp/connect');
    expect(res.status).to.equal(401);
    expect(res.body.success).to.equal(false);
    expect(res.body.message).to.match(/^No autorizado: /);
    const page = await t.request('GET', '/whatsapp/connect/view?access_token=tuc_not_a_real_token');
    expect(page.status).to.equal(401);
    expect(page.body.success).to.equal(false);
  });
});
