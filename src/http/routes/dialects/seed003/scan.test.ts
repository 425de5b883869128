import { expect } from 'chai';
import QRCode from 'qrcode';
import { fakeSocketFactory } from '../../../../test-support/baileys/fake-socket.js';
import { until } from '../../../../test-support/baileys/engine-harness.js';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { curlData } from '../../../../test-support/http/seed003-requests.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const QR = '2@c2VlZCAwMDMgcXIgcmVmZXJlbmNl,bm9pc2Uga2V5,aWRlbnRpdHkga2V5,YWR2IHNlY3JldA==';

describe('seed 003 dialect: GET /whatsapp/scan (the QR of a pending Baileys instance)', () => {
  let t: TestServer;
  let owner: { token: string };
  const fake = fakeSocketFactory();

  before(async () => {
    t = await startTestServer({ app: { baileysSocketFactory: fake.factory } });
    owner = await t.owner();
  });
  after(() => t.close({ cleanup: true }));

  /** createNewWhatsapp ({} → Baileys), then init, as a seed 003 client does. */
  async function pendingInstance(): Promise<{ id: string; token: string }> {
    const created = await t.request('POST', '/whatsapp/createNewWhatsapp', { token: owner.token, ...curlData({}) });
    const inst = { id: created.body.data._id as string, token: created.body.data.settings.access_token as string };
    const sockets = fake.sockets.length;
    const init = await t.request('POST', '/whatsapp/init', { token: owner.token, ...curlData({ session_id: inst.id, access_token: inst.token, config: { multiDevice: true } }) });
    expect(init.status, init.text).to.equal(204);
    await until(() => fake.sockets.length > sockets, 'a socket');
    return inst;
  }

  it('returns the QR as a PNG by default, and as a base64 data URL with format=base64text', async () => {
    const inst = await pendingInstance();
    const scanPath = `/whatsapp/scan?session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}`;
    // called right after init, before WhatsApp sent a QR: the answer waits for it
    const pending = fetch(`${t.url}${scanPath}`);
    fake.latest().showQr(QR);
    const png = await pending;
    expect(png.status).to.equal(200);
    expect(png.headers.get('content-type')).to.equal('image/png');
    expect(png.headers.get('cache-control')).to.equal('no-store');
    const image = Buffer.from(await png.arrayBuffer());
    expect(image.subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);
    // the image encodes the very QR WhatsApp sent
    expect(image).to.deep.equal(await QRCode.toBuffer(QR, { type: 'png', width: 320, margin: 2 }));

    const text = await t.request('GET', `${scanPath}&format=base64text`);
    expect(text.status).to.equal(200);
    expect(text.headers.get('content-type')).to.contain('text/plain');
    expect(text.text).to.equal(await QRCode.toDataURL(QR, { width: 320, margin: 2 }));
    expect(Buffer.from(text.text.split(',')[1], 'base64').subarray(0, 8)).to.deep.equal(PNG_SIGNATURE);

    // the seed's other style: the Bearer login, the session named, access_token left empty
    const bearer = await t.request('GET', `/whatsapp/scan?session_id=${inst.id}&access_token=&format=base64text`, { token: owner.token });
    expect(bearer.status).to.equal(200);
  });

  it('answers 404 in the seed envelope when there is no QR: linked, or a sandbox instance', async () => {
    const inst = await pendingInstance();
    fake.latest().showQr(QR);
    fake.latest().open({ id: '2349040613521:8@s.whatsapp.net', name: 'Waap Test' });
    await until(async () => (await t.request('GET', `/v1/instances/${inst.id}/status`, { token: owner.token })).body.status === 'connected', 'connected');
    const linked = await t.request('GET', `/whatsapp/scan?session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}`);
    expect(linked.status).to.equal(404);
    expect(linked.body).to.deep.include({ status: false });
    expect(linked.body.message).to.match(/already linked/);

    // the linked number shows in the instance info
    const info = await t.request('GET', `/whatsapp/instance?session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}`);
    expect(info.body.data.instance_data).to.deep.include({ phone_connected: true, user: { id: '2349040613521@s.whatsapp.net', name: 'Waap Test' } });

    const sandbox = await t.sandboxInstance(owner.token);
    const none = await t.request('GET', `/whatsapp/scan?session_id=${sandbox.id}&access_token=${encodeURIComponent(sandbox.token)}&format=base64text`);
    expect(none.status).to.equal(404);
    expect(none.body.status).to.equal(false);

    const badFormat = await t.request('GET', `/whatsapp/scan?session_id=${sandbox.id}&format=gif`, { token: owner.token });
    expect(badFormat.status).to.equal(400);
    expect(badFormat.body.data.errors[0].field).to.equal('query.format');
    expect((await t.request('GET', `/whatsapp/scan?session_id=${sandbox.id}`)).status).to.equal(401);
  });
});
