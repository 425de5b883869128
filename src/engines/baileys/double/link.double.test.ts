/**
 * The real Baileys socket, inside a real tucan, against the WhatsApp double:
 * linking by QR (with WhatsApp's QR refresh) and the restart without a new scan.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWaDouble, type WaDouble } from '../../../test-support/wa-double/double.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually } from '../../../test-support/webhook-receiver.js';

describe('WhatsApp double: link by QR and reconnect with the real Baileys socket', function () {
  this.timeout(60_000);
  let double: WaDouble;
  let t: TestServer;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-double-'));
  const lines: string[] = [];

  before(async () => {
    double = await startWaDouble({ log: (line) => lines.push(line) });
    t = await startTestServer({ dataDir, config: { baileys: { webSocketUrl: double.url } } });
  });
  after(async () => {
    await t?.close({ cleanup: false });
    await double?.close();
    if (process.env.DOUBLE_LOG) console.log(lines.join('\n'));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('links by QR through a refresh, then shows connected with the phone number', async () => {
    const phone = double.addPhone('5491155550001', 'Ana');
    const owner = await t.owner();
    const created = await t.request('POST', '/v1/instances', { token: owner.token, json: { engine: 'baileys', name: 'shop' } });
    const id = created.body.id as string;
    expect((await t.request('POST', `/v1/instances/${id}/connect`, { token: owner.token })).status).to.equal(202);

    const first = await eventually(async () => {
      const res = await t.request('GET', `/v1/instances/${id}/qr`, { token: owner.token });
      return res.status === 200 ? (res.body.qr as string) : undefined;
    });
    expect(first).to.match(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    expect(await double.scan(phone, first)).to.equal('refreshed');

    // WhatsApp retired the scanned secret: the QR on screen must change
    const second = await eventually(async () => {
      const res = await t.request('GET', `/v1/instances/${id}/qr`, { token: owner.token });
      return res.status === 200 && res.body.qr !== first ? (res.body.qr as string) : undefined;
    });
    expect(second.split(',')[0]).to.equal(first.split(',')[0]);
    expect(second.split(',')[3]).to.not.equal(first.split(',')[3]);
    expect(await double.scan(phone, second)).to.equal('linked');

    const status = await eventually(async () => {
      const res = await t.request('GET', `/v1/instances/${id}/status`, { token: owner.token });
      return res.body.status === 'connected' ? res.body : undefined;
    }, 30_000);
    expect(JSON.stringify(status)).to.contain('5491155550001');
  });
});
