import { expect } from 'chai';
import { fakeSocketFactory } from '../../../../test-support/baileys/fake-socket.js';
import { until } from '../../../../test-support/baileys/engine-harness.js';
import { CookieSession } from '../../../../test-support/cookie-session.js';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const QR = '2@Y2FsbGVkIGEgcXIgcmVmZXJlbmNl,bm9pc2Uga2V5,aWRlbnRpdHkga2V5,YWR2IHNlY3JldA==';

describe('seed 002: the WhatsApp client (createqr, status, groups)', () => {
  let t: TestServer;
  // the real Baileys engine as the app wires it, on fake sockets
  const fake = fakeSocketFactory();
  let n = 0;

  before(async () => {
    t = await startTestServer({ app: { baileysSocketFactory: fake.factory } });
  });
  after(() => t.close({ cleanup: true }));

  /** A browser that registered (and so logged in) through the seed's own route. */
  async function loggedIn(): Promise<CookieSession> {
    const browser = new CookieSession(t);
    const username = `wa${++n}${process.pid}`;
    const reg = await browser.request('POST', '/api/auth/register', {
      json: { name: 'John Doe', phone: '+1234567890', email: `${username}@example.com`, username, password: 'securePassword123', gst: 'GST12345' },
    });
    expect(reg.status).to.equal(200);
    return browser;
  }

  /** Seed 002 has no instance ids; a test picks the user's instance through the native API with the same cookie. */
  async function withSandbox(browser: CookieSession): Promise<string> {
    const created = await browser.request('POST', '/v1/instances', { json: { engine: 'sandbox' } });
    expect(created.status).to.equal(201);
    expect((await browser.request('POST', `/v1/instances/${created.body.id}/connect`)).status).to.equal(202);
    return created.body.id;
  }

  it('createqr creates the default (Baileys) instance on first use, starts linking and returns the QR as a PNG data URL', async () => {
    const browser = await loggedIn();
    const sockets = fake.sockets.length;
    const pending = browser.request('GET', '/api/whatsapp/createqr');
    await until(() => fake.sockets.length > sockets, 'a socket');
    const sock = fake.latest();
    sock.showQr(QR);
    const res = await pending;
    expect(res.status).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal(['qrCodeUrl']);
    expect(res.body.qrCodeUrl).to.match(/^data:image\/png;base64,/);
    expect(Buffer.from(res.body.qrCodeUrl.split(',')[1], 'base64').subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);
    expect(res.headers.get('cache-control')).to.equal('no-store');

    // exactly one instance was created, a Baileys one, and it waits for the scan
    const list = (await browser.request('GET', '/v1/instances')).body.instances;
    expect(list).to.have.length(1);
    expect(list[0].engine).to.equal('baileys');
    expect((await browser.request('GET', '/api/whatsapp/status')).body).to.deep.equal({ status: 'qr', phoneNumber: null, name: null });

    // asked again, the same QR comes at once from the same socket
    const again = await browser.request('GET', '/api/whatsapp/createqr');
    expect(again.body.qrCodeUrl).to.equal(res.body.qrCodeUrl);
    expect(fake.latest()).to.equal(sock);

    // scanned: authenticated, with the number in the seed's format; no QR any more
    sock.open({ id: '59170000002:4@s.whatsapp.net', name: "John's WhatsApp" });
    await until(async () => (await browser.request('GET', '/api/whatsapp/status')).body.status === 'authenticated', 'authenticated');
    expect((await browser.request('GET', '/api/whatsapp/status')).body).to.deep.equal({ status: 'authenticated', phoneNumber: '+59170000002', name: "John's WhatsApp" });
    const linked = await browser.request('GET', '/api/whatsapp/createqr');
    expect(linked.status).to.equal(409);
    expect(linked.body).to.include({ success: false });
    expect(linked.body.message).to.match(/already linked/);
  });

  it('waits for the QR only so long (the route then answers 503): the connection keeps going and a later call gets it', async () => {
    const browser = await loggedIn();
    const me = await browser.request('GET', '/api/users/me');
    const instance = await t.app.modules.accounts.instances.defaultFor(me.body.id);
    const sockets = fake.sockets.length;
    const early = await t.app.modules.accounts.lifecycle.awaitQr(instance, 30);
    expect(early.qr).to.equal(null);
    expect(early.status.status).to.be.oneOf(['connecting', 'disconnected']);
    await until(() => fake.sockets.length > sockets, 'a socket');
    const later = t.app.modules.accounts.lifecycle.awaitQr(instance, 10_000);
    fake.latest().showQr(QR);
    expect((await later).qr).to.equal(QR);
    expect(fake.sockets.length).to.equal(sockets + 1);
  });

  it('concurrent first requests share one default instance', async () => {
    const browser = await loggedIn();
    const answers = await Promise.all([1, 2, 3].map(() => browser.request('GET', '/api/whatsapp/status')));
    expect(answers.map((a) => a.body.status)).to.deep.equal(['disconnected', 'disconnected', 'disconnected']);
    expect((await browser.request('GET', '/v1/instances')).body.instances).to.have.length(1);
  });

  it('status and groups act on an instance the user already has (here a sandbox one)', async () => {
    const browser = await loggedIn();
    const id = await withSandbox(browser);
    const status = await browser.request('GET', '/api/whatsapp/status');
    expect(status.status).to.equal(200);
    expect(status.body).to.deep.equal({ status: 'authenticated', phoneNumber: null, name: 'Sandbox' });

    expect((await browser.request('GET', '/api/whatsapp/groups')).body).to.deep.equal([]);
    const now = Date.now();
    await t.app.modules.engines.sandbox.rememberGroup(id, '120363025555555555@g.us', 'Family Group', { jid: '59171234567@s.whatsapp.net', phone: '59171234567' }, now);
    await t.app.modules.engines.sandbox.rememberGroup(id, '120363025555555555@g.us', null, { jid: '123456789012345@lid', phone: null }, now);
    await t.app.modules.engines.sandbox.rememberGroup(id, '120363024444444444@g.us', 'Work Team', { jid: '573001234567@s.whatsapp.net', phone: '573001234567' }, now);
    const groups = await browser.request('GET', '/api/whatsapp/groups');
    expect(groups.status).to.equal(200);
    expect(groups.body).to.deep.equal([
      { id: '120363025555555555@g.us', name: 'Family Group', participants: ['+59171234567', '123456789012345@lid'] },
      { id: '120363024444444444@g.us', name: 'Work Team', participants: ['+573001234567'] },
    ]);

    // a sandbox is linked from the start: there is no QR to show
    const qr = await browser.request('GET', '/api/whatsapp/createqr');
    expect(qr.status).to.equal(409);
  });

  it('answers 503 for groups while WhatsApp is not connected, 401 without a session', async () => {
    const browser = await loggedIn();
    const groups = await browser.request('GET', '/api/whatsapp/groups');
    expect(groups.status).to.equal(503);
    expect(groups.body.success).to.equal(false);
    expect(groups.body.message).to.match(/not connected/);
    for (const path of ['/api/whatsapp/createqr', '/api/whatsapp/status', '/api/whatsapp/groups']) {
      const res = await t.request('GET', path);
      expect(res.status, path).to.equal(401);
      expect(res.body.success, path).to.equal(false);
    }
  });
});
