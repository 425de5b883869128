/**
 * The real Baileys socket, inside a real tucan, against the WhatsApp double:
 * linking by QR (with WhatsApp's QR refresh) and by pairing code, the restart
 * without a new scan, and a phone that unlinks the device.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUTH_COLLECTION } from '../stored-state.js';
import { startWaDouble, type WaDouble } from '../../../test-support/wa-double/double.js';
import { currentQr, linkByQr, waitForStatus } from '../../../test-support/wa-double/tucan-link.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('WhatsApp double: linking with the real Baileys socket', function () {
  this.timeout(60_000);
  let double: WaDouble;
  let t: TestServer;
  let owner: { token: string };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-double-'));
  const start = () => startTestServer({ dataDir, config: { baileys: { webSocketUrl: double.url, reconnectBaseMs: 20, reconnectMaxMs: 200 } } });
  const authDocs = (id: string) => t.app.modules.store.collection(AUTH_COLLECTION).countDocuments({ instance_id: id });

  before(async () => {
    double = await startWaDouble();
    t = await start();
    owner = await t.owner();
  });
  after(async () => {
    await t?.close({ cleanup: false });
    await double?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('links by QR through a refresh, shows connected with the number, and reconnects after a restart with no new scan', async () => {
    const phone = double.addPhone('5491155550001', 'Ana');
    const created = await t.request('POST', '/v1/instances', { token: owner.token, json: { engine: 'baileys', name: 'shop' } });
    const id = created.body.id as string;
    expect((await t.request('POST', `/v1/instances/${id}/connect`, { token: owner.token })).status).to.equal(202);

    const first = await currentQr(t, id, owner.token);
    expect(first).to.match(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    expect(await double.scan(phone, first)).to.equal('refreshed');
    // WhatsApp retired the scanned secret: the QR on screen changes its secret, not its ref
    const second = await currentQr(t, id, owner.token, first);
    expect(second.split(',')[0]).to.equal(first.split(',')[0]);
    expect(second.split(',')[3]).to.not.equal(first.split(',')[3]);
    // the retired secret no longer links, as the phone's "Couldn't link device"
    expect(await double.scan(phone, first)).to.equal('refused');
    expect(await double.scan(phone, second)).to.equal('linked');

    const status = await waitForStatus(t, id, owner.token, 'connected');
    expect(status.phone).to.equal('5491155550001');
    expect(phone.devices.size).to.equal(1);
    // the version the status shows is the one the socket announced to WhatsApp (issue 16, item 2)
    expect(status.wa_version).to.be.a('string');
    expect(double.linking.announced.at(-1)?.version).to.equal(status.wa_version);

    // restart on the same data directory: the stored creds log in, no QR is shown
    await t.close({ cleanup: false });
    t = await start();
    const again = await waitForStatus(t, id, owner.token, 'connected');
    expect(again.phone).to.equal('5491155550001');
    expect(again.has_qr).to.not.equal(true);
    expect(phone.devices.size).to.equal(1);
    expect(double.streams(phone)).to.have.length(1);
  });

  it('links by pairing code, also on a second attempt after a code that was never typed', async () => {
    const phone = double.addPhone('5491155550002', 'Bruno');
    const created = await t.request('POST', '/v1/instances', { token: owner.token, json: { engine: 'baileys', name: 'code' } });
    const id = created.body.id as string;

    const unused = await t.request('POST', `/v1/instances/${id}/pairing-code`, { token: owner.token, json: { phone: '+54 9 11 5555-0002' } });
    expect(unused.status, unused.text).to.equal(200);
    expect(unused.body.code).to.match(/^[A-Z0-9]{8}$/);
    // the owner never types it, and starts over
    const shown = await currentQr(t, id, owner.token);
    expect((await t.request('POST', `/v1/instances/${id}/restart`, { token: owner.token })).status).to.equal(202);
    // a fresh registration (a new QR), not a login with the number the unused code left in the creds
    await currentQr(t, id, owner.token, shown);
    expect(double.linking.refusedLogins).to.not.include('5491155550002');

    const code = await t.request('POST', `/v1/instances/${id}/pairing-code`, { token: owner.token, json: { phone: '5491155550002' } });
    expect(code.status, code.text).to.equal(200);
    expect(code.body.code).to.not.equal(unused.body.code);
    // the companion name WhatsApp accepts for codes (issue 16, item 5)
    expect(double.linking.announced.filter((a) => a.display).map((a) => a.display)).to.include('Chrome (Windows)');
    // a wrong code does not link
    expect(await double.typeCode(phone, 'AAAAAAAA')).to.equal('refused');
    const again = await t.request('POST', `/v1/instances/${id}/pairing-code`, { token: owner.token, json: { phone: '5491155550002' } });
    expect(await double.typeCode(phone, again.body.code)).to.equal('linked');
    const status = await waitForStatus(t, id, owner.token, 'connected');
    expect(status.phone).to.equal('5491155550002');
  });

  it('reports logged_out and deletes the auth state when the phone removes the device (401)', async () => {
    const phone = double.addPhone('5491155550003', 'Caro');
    const inst = await linkByQr(t, double, phone, owner.token);
    expect(await authDocs(inst.id)).to.be.greaterThan(0);
    expect(double.faults.closeWith(phone, 401)).to.equal(1);
    const status = await waitForStatus(t, inst.id, owner.token, 'logged_out');
    expect(String(status.reason)).to.match(/unlinked/);
    expect(await authDocs(inst.id)).to.equal(0);
    // nothing reconnects behind the owner's back
    await new Promise((r) => setTimeout(r, 300));
    expect(double.streams(phone)).to.have.length(0);
  });
});
