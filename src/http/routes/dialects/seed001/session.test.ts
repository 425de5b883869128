import { expect } from 'chai';
import { fakeSocketFactory } from '../../../../test-support/baileys/fake-socket.js';
import { until } from '../../../../test-support/baileys/engine-harness.js';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const QR = '2@c2VlZCAwMDEgcXIgcmVmZXJlbmNl,bm9pc2Uga2V5,aWRlbnRpdHkga2V5,YWR2IHNlY3JldA==';

describe('seed 001 dialect: session (/api/session/*)', () => {
  let t: TestServer;
  const fake = fakeSocketFactory();

  before(async () => {
    t = await startTestServer({ app: { baileysSocketFactory: fake.factory } });
  });
  after(() => t.close({ cleanup: true }));

  it('reports status and profile, logs out and restarts a sandbox instance', async () => {
    const inst = await t.sandboxInstance((await t.owner()).token);
    const status = await t.request('GET', '/api/session/status', { apiKey: inst.token });
    expect(status.status).to.equal(200);
    expect(status.body.success).to.equal(true);
    expect(status.body.data).to.include({ status: 'connected', isReady: true, hasQR: false });

    const profile = await t.request('GET', '/api/session/profile', { apiKey: inst.token });
    expect(profile.status).to.equal(200);
    expect(profile.body).to.deep.equal({ success: true, data: { jid: null, phone: null, name: 'Sandbox', about: null, profilePicUrl: null } });

    // connected: there is no QR to show
    const qr = await t.request('GET', '/api/session/qr', { apiKey: inst.token });
    expect(qr.status).to.equal(404);
    expect(qr.body.success).to.equal(false);
    expect(qr.body.error).to.match(/^No encontrado: no QR code is available \(status: connected\)/);
    const image = await t.request('GET', '/api/session/qr/image', { apiKey: inst.token });
    expect(image.status).to.equal(404);
    expect(image.body.success).to.equal(false);

    const logout = await t.request('POST', '/api/session/logout', { apiKey: inst.token });
    expect(logout.status).to.equal(200);
    expect(logout.body).to.include({ success: true, message: 'Sesión cerrada exitosamente' });
    expect(logout.body.data).to.include({ status: 'logged_out', isReady: false });
    expect((await t.request('GET', '/api/session/status', { apiKey: inst.token })).body.data).to.include({ status: 'logged_out', isReady: false, hasQR: false });
    const offline = await t.request('GET', '/api/session/profile', { apiKey: inst.token });
    expect(offline.status).to.equal(503);
    expect(offline.body.error).to.match(/^WhatsApp no conectado: /);

    const restart = await t.request('POST', '/api/session/restart', { apiKey: inst.token });
    expect(restart.status).to.equal(200);
    expect(restart.body).to.include({ success: true, message: 'Reiniciando conexión' });
    expect(restart.body.data).to.include({ status: 'connected', isReady: true });
    const send = await t.request('POST', '/api/messages/send', { apiKey: inst.token, json: { phone: '573001234567', message: 'de vuelta' } });
    expect(send.status).to.equal(200);
    expect((await t.app.modules.engines.sandbox.listSent(inst.id)).at(-1)!.content).to.deep.include({ text: 'de vuelta' });
  });

  it('shows the QR of a pending Baileys instance as a data URL and as a PNG', async () => {
    const owner = await t.owner();
    const created = await t.request('POST', '/v1/instances', { token: owner.token, json: { engine: 'baileys' } });
    const key = created.body.access_token as string;

    const none = await t.request('GET', '/api/session/qr', { apiKey: key });
    expect(none.status).to.equal(404);
    expect(none.body.error).to.contain('POST /api/session/restart');

    const before = fake.sockets.length;
    const restart = await t.request('POST', '/api/session/restart', { apiKey: key });
    expect(restart.status).to.equal(200);
    expect(restart.body.message).to.equal('Reiniciando conexión');
    await until(() => fake.sockets.length > before, 'a socket');
    fake.latest().showQr(QR);
    await until(async () => (await t.request('GET', '/api/session/status', { apiKey: key })).body.data.hasQR === true, 'hasQR');

    const status = await t.request('GET', '/api/session/status', { apiKey: key });
    expect(status.body.data).to.include({ status: 'qr', isReady: false, hasQR: true });

    const qr = await t.request('GET', '/api/session/qr', { apiKey: key });
    expect(qr.status).to.equal(200);
    expect(qr.body.success).to.equal(true);
    expect(qr.body.data.qr).to.equal(QR);
    expect(qr.body.data.qrCode).to.match(/^data:image\/png;base64,/);
    expect(Buffer.from(qr.body.data.qrCode.split(',')[1], 'base64').subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);
    expect(qr.headers.get('cache-control')).to.equal('no-store');

    const image = await fetch(`${t.url}/api/session/qr/image`, { headers: { 'x-api-key': key } });
    expect(image.status).to.equal(200);
    expect(image.headers.get('content-type')).to.equal('image/png');
    expect(Buffer.from(await image.arrayBuffer()).subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);

    // not linked yet: sending is refused with 503
    const send = await t.request('POST', '/api/messages/send-bulk', { apiKey: key, json: { recipients: ['573001234567'], message: 'x' } });
    expect(send.status).to.equal(503);
  });

  it('needs the API key', async () => {
    for (const [method, p] of [
      ['GET', '/api/session/status'],
      ['GET', '/api/session/qr'],
      ['GET', '/api/session/qr/image'],
      ['GET', '/api/session/profile'],
      ['POST', '/api/session/logout'],
      ['POST', '/api/session/restart'],
    ] as const) {
      const res = await t.request(method, p, { apiKey: 'tuc_wrong' });
      expect(res.status, p).to.equal(401);
      expect(res.body, p).to.include({ success: false });
    }
  });
});
