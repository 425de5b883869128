import { expect } from 'chai';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { EngineSendError } from '../engine.js';
import type { FakeSocket } from '../../test-support/baileys/fake-socket.js';
import { harness, ME, settle, until, type Harness } from '../../test-support/baileys/engine-harness.js';

/** No socket but the newest may be live, and every replaced socket is ended with no processor left attached. */
function expectNoOrphans(h: Harness): void {
  const live = h.sockets.filter((s) => !s.ended);
  expect(live.length, 'live sockets').to.be.at.most(1);
  if (live.length === 1) expect(live[0]).to.equal(h.sockets[h.sockets.length - 1]);
  for (const s of h.sockets.filter((x) => x.ended)) expect(s.activeProcessors, 'listeners on an ended socket').to.equal(0);
}

async function linkedAndOpen(h: Harness): Promise<FakeSocket> {
  await h.engine.connect();
  const sock = h.latest();
  sock.showQr('2@QRREF1,noise,identity,adv');
  await until(() => h.engine.status().status === 'qr', 'qr');
  sock.pairSuccess(ME);
  await sock.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
  await until(() => h.sockets.length === 2, 'the reconnect after 515');
  h.latest().open();
  await until(() => h.engine.status().status === 'connected', 'open');
  return h.latest();
}

describe('Baileys engine: connection lifecycle (fake socket)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('QR → scan → close 515 → reconnect at once → open, with the old socket ended first', async () => {
    h = await harness();
    await h.engine.connect();
    expect(h.engine.status().status).to.equal('connecting');
    const first = h.latest();
    expect(first.options.auth.creds.registered).to.equal(false);
    first.showQr('2@QRREF1,noise,identity,adv');
    await until(() => h.engine.status().qr === '2@QRREF1,noise,identity,adv', 'the QR');
    expect(h.engine.status().status).to.equal('qr');
    first.showQr('2@QRREF2,noise,identity,adv');
    await until(() => h.engine.status().qr === '2@QRREF2,noise,identity,adv', 'the next QR');

    first.pairSuccess(ME);
    await first.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
    await until(() => h.sockets.length === 2, 'a second socket');
    // the new socket exists only after the old one ended, with the same (now linked) creds
    expect(first.ended).to.equal(true);
    expect(first.calls.findIndex((c) => c.method === 'end')).to.be.greaterThan(-1);
    const second = h.latest();
    expect(second.options.auth.creds.me?.id).to.equal(ME.id);
    expectNoOrphans(h);

    second.open();
    await until(() => h.engine.status().status === 'connected', 'connected');
    expect(h.engine.status()).to.deep.include({ phone: '59170000001', name: 'Tienda', qr: null });
    expect(h.statuses()).to.deep.equal(['connecting', 'qr', 'qr', 'connecting', 'connected']);
    // every socket announces the chosen WhatsApp Web version, and the status shows it
    expect(second.options.version).to.deep.equal([2, 3000, 1043857760]);
    expect(h.engine.status().wa_version).to.equal('2.3000.1043857760');
    expect(h.events.connection.at(-1)).to.deep.include({ status: 'connected', phone: '59170000001' });
  });

  it('opens one socket however many connects race (start-up restore and an API call)', async () => {
    h = await harness();
    await Promise.all([h.engine.connect(), h.engine.connect(), h.engine.connect()]);
    await settle();
    expect(h.sockets).to.have.length(1);
    // a connect right after a disconnect still connects
    const stopping = h.engine.disconnect();
    const again = h.engine.connect();
    await Promise.all([stopping, again]);
    expect(h.sockets.filter((s) => !s.ended)).to.have.length(1);
    expectNoOrphans(h);
  });

  it('persists the link: a restarted process reconnects without a new scan', async () => {
    h = await harness();
    await linkedAndOpen(h);
    await until(async () => (await h.baileys.auth.load('inst1')).linked, 'creds in the store');
    await h.engine.disconnect();

    const again = h.restart();
    await again.connect();
    const sock = h.latest();
    expect(sock.options.auth.creds.me?.id).to.equal(ME.id);
    sock.open();
    await until(() => again.status().status === 'connected', 'connected again');
    expect(sock.callsTo('requestPairingCode')).to.have.length(0);
    await again.disconnect();
  });

  const BACKOFF = [
    ['connectionClosed', DisconnectReason.connectionClosed],
    ['connectionLost / timedOut', DisconnectReason.connectionLost],
    ['badSession', DisconnectReason.badSession],
    ['unavailableService', DisconnectReason.unavailableService],
  ] as const;
  for (const [name, code] of BACKOFF) {
    it(`${name} (${code}): reports reconnecting, backs off, reconnects on a fresh socket`, async () => {
      h = await harness();
      const sock = await linkedAndOpen(h);
      await sock.close(code);
      await until(() => h.engine.status().status === 'reconnecting', 'reconnecting');
      expect(h.engine.status().reason).to.match(/attempt 1, next try at \d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ s\)$/);
      await until(() => h.sockets.length === 3, 'the reconnect');
      expectNoOrphans(h);
      h.latest().open();
      await until(() => h.engine.status().status === 'connected', 'connected');
    });
  }

  for (const code of [DisconnectReason.loggedOut, DisconnectReason.multideviceMismatch]) {
    it(`${code}: clears the auth state, reports logged_out, and does not retry`, async () => {
      h = await harness();
      const sock = await linkedAndOpen(h);
      await sock.close(code);
      await until(() => h.engine.status().status === 'logged_out', 'logged_out');
      expect(await h.baileys.auth.count('inst1')).to.equal(0);
      expect(h.engine.running).to.equal(false);
      expect(h.sockets).to.have.length(2);
      expect(h.events.connection.at(-1)).to.deep.include({ status: 'logged_out', phone: null });
      expectNoOrphans(h);
    });
  }

  for (const code of [DisconnectReason.connectionReplaced, DisconnectReason.forbidden]) {
    it(`${code}: stops and reports failed, keeping the link`, async () => {
      h = await harness();
      const sock = await linkedAndOpen(h);
      await sock.close(code);
      await until(() => h.engine.status().status === 'failed', 'failed');
      expect(h.engine.status().reason).to.match(code === 440 ? /replaced/ : /forbidden/);
      expect(h.engine.running).to.equal(false);
      expect(h.sockets).to.have.length(2);
      expect((await h.baileys.auth.load('inst1')).linked).to.equal(true);
      expectNoOrphans(h);
    });
  }

  it('keeps retrying past the reconnect cap, never failed over an outage, and connects when WhatsApp is back, leaving no socket behind', async () => {
    h = await harness({ maxReconnectAttempts: 3 });
    const sock = await linkedAndOpen(h);
    await sock.close(DisconnectReason.connectionClosed);
    for (let n = 3; n <= 7; n++) {
      await until(() => h.sockets.length === n, `socket ${n}`);
      await h.latest().close(DisconnectReason.connectionLost);
    }
    await until(() => h.sockets.length === 8, 'a retry past the cap');
    expect(h.statuses()).to.not.include('failed');
    expect(h.engine.status().reason).to.match(/still retrying every 8 ms; attempt 6, next try at /);
    h.latest().open();
    await until(() => h.engine.status().status === 'connected', 'connected');
    expect(h.sockets.slice(0, -1).every((s) => s.ended)).to.equal(true);
    expectNoOrphans(h);
  });

  it("rotates the QR's secret when WhatsApp refreshes the QR after a scan, and every later QR carries it", async () => {
    h = await harness();
    await h.engine.connect();
    const sock = h.latest();
    const qr = (ref: string, adv = 'T0xEQURW') => `https://wa.me/settings/linked_devices#${ref},bm9pc2U=,aWRlbnRpdHk=,${adv},1`;
    sock.showQr(qr('REF1'));
    await until(() => h.engine.status().qr === qr('REF1'), 'the QR');
    const before = sock.options.auth.creds.advSecretKey;
    sock.qrRefresh();
    await until(() => h.engine.status().qr !== qr('REF1'), 'the refreshed QR');
    const secret = sock.options.auth.creds.advSecretKey;
    expect(secret).to.not.equal(before);
    expect(Buffer.from(secret, 'base64')).to.have.length(32);
    expect(h.engine.status()).to.deep.include({ status: 'qr', qr: qr('REF1', secret) });
    expect(h.engine.status().reason).to.match(/refreshed the QR code after a scan/);
    // rc14 builds the next QR from the secret it read at pair-device: tucan shows it with the new one
    sock.showQr(qr('REF2'));
    await until(() => h.engine.status().qr?.includes('REF2') === true, 'the next QR');
    expect(h.engine.status().qr).to.equal(qr('REF2', secret));
    await settle();
    expect((await h.baileys.auth.load('inst1')).state.creds.advSecretKey, 'persisted: pair-success is checked against it').to.equal(secret);
    // the refs run out all the same: the status says what happened
    await sock.close(DisconnectReason.timedOut, 'QR refs attempts ended');
    await until(() => h.engine.status().status === 'disconnected', 'disconnected');
    expect(h.engine.status().reason).to.match(/scanned and WhatsApp refreshed it/);
    expectNoOrphans(h);
  });

  it('stops when the QR codes run out without a scan instead of showing QR codes forever', async () => {
    h = await harness();
    await h.engine.connect();
    h.latest().showQr('2@QRREF1,a,b,c');
    await until(() => h.engine.status().status === 'qr', 'qr');
    await h.latest().close(DisconnectReason.timedOut, 'QR refs attempts ended');
    await until(() => h.engine.status().status === 'disconnected', 'disconnected');
    expect(h.engine.status().reason).to.match(/expired/);
    expect(h.engine.running).to.equal(false);
  });

  it('disconnect ends the socket on purpose: no reconnect, stale events ignored', async () => {
    h = await harness();
    const sock = await linkedAndOpen(h);
    await h.engine.disconnect();
    expect(sock.ended).to.equal(true);
    expect(sock.endedWith).to.equal(undefined);
    expect(h.engine.status()).to.deep.include({ status: 'disconnected', reason: 'closed' });
    await settle();
    expect(h.sockets).to.have.length(2);
    expect(h.engine.running).to.equal(false);
    expectNoOrphans(h);
    // reconnecting later works, on a new socket
    await h.engine.connect();
    expect(h.sockets).to.have.length(3);
  });

  it('logout unlinks through the socket, deletes the auth state and does not reconnect', async () => {
    h = await harness();
    const sock = await linkedAndOpen(h);
    await h.engine.logout();
    expect(sock.callsTo('logout')).to.have.length(1);
    expect(h.engine.status().status).to.equal('logged_out');
    expect(await h.baileys.auth.count('inst1')).to.equal(0);
    await settle();
    expect(h.sockets).to.have.length(2);
    expectNoOrphans(h);
  });

  it('logout of an instance that is not running still deletes its auth state', async () => {
    h = await harness();
    await linkedAndOpen(h);
    await h.engine.disconnect();
    const again = h.restart();
    await again.logout();
    expect(await h.baileys.auth.count('inst1')).to.equal(0);
  });

  describe('pairing code', () => {
    it('starts the connection, waits for the linking session, and returns the code', async () => {
      h = await harness();
      const pending = h.engine.requestPairingCode('+591 70000001');
      await until(() => h.sockets.length === 1, 'a socket');
      h.latest().showQr('2@QRREF1,a,b,c');
      expect(await pending).to.equal('ABCD1234');
      expect(h.latest().callsTo('requestPairingCode')[0].args).to.deep.equal(['59170000001']);
    });

    it('starts a new link attempt from fresh creds after a code that expired unused (it would otherwise log in instead of registering)', async () => {
      h = await harness();
      const pending = h.engine.requestPairingCode('+591 70000001');
      await until(() => h.sockets.length === 1, 'a socket');
      const first = h.latest();
      first.showQr('2@QRREF1,a,b,c');
      await pending;
      await settle();
      expect(first.options.auth.creds.me?.id).to.equal('59170000001@s.whatsapp.net');
      // nobody typed the code: WhatsApp's linking session runs out
      await first.close(DisconnectReason.timedOut, 'QR refs attempts ended');
      await until(() => h.engine.status().status === 'disconnected', 'disconnected');
      const noiseKey = first.options.auth.creds.noiseKey.public;

      // a later attempt, even from another process
      const again = h.restart();
      await again.connect();
      await until(() => h.sockets.length === 2, 'a new socket');
      const fresh = h.latest().options.auth.creds;
      expect(fresh.me).to.equal(undefined);
      expect(fresh.pairingCode).to.equal(undefined);
      expect(Buffer.from(fresh.noiseKey.public).equals(Buffer.from(noiseKey))).to.equal(false);
      await again.disconnect();
    });

    it('refuses an already linked instance and an invalid number', async () => {
      h = await harness();
      await linkedAndOpen(h);
      const linked = await h.engine.requestPairingCode('59170000001').catch((e: unknown) => e);
      expect(linked).to.be.instanceOf(EngineSendError).and.include({ code: 'already_linked', retryable: false });
      const invalid = await h.engine.requestPairingCode('12').catch((e: unknown) => e);
      expect(invalid).to.be.instanceOf(EngineSendError).and.include({ code: 'invalid_phone' });
    });
  });
});
