/**
 * The Baileys engine as the app wires it (auth state in the app's own store,
 * restore at start-up, graceful shutdown, deletion hook), on fake sockets.
 */
import { expect } from 'chai';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { startTestServer } from '../../test-support/test-server.js';
import { AUTH_COLLECTION } from './auth-state.js';
import { fakeSocketFactory } from '../../test-support/baileys/fake-socket.js';
import { until } from '../../test-support/baileys/engine-harness.js';

describe('Baileys engine in the app: restart without a new scan, shutdown, deletion', () => {
  it('links once, survives a process restart, closes every socket on shutdown, and forgets the link on deletion', async () => {
    const fake = fakeSocketFactory();
    const first = await startTestServer({ app: { baileysSocketFactory: fake.factory } });
    const { token } = await first.owner();
    const created = await first.request('POST', '/v1/instances', { token, json: { engine: 'baileys' } });
    const id = created.body.id as string;
    const status = async (t: typeof first) => (await t.request('GET', `/v1/instances/${id}/status`, { token })).body;

    await first.request('POST', `/v1/instances/${id}/connect`, { token });
    await until(() => fake.sockets.length === 1, 'a socket');
    fake.latest().showQr('2@REF,noise,identity,adv');
    fake.latest().pairSuccess({ id: '59170000009:5@s.whatsapp.net', name: 'Shop' });
    await fake.latest().close(DisconnectReason.restartRequired);
    await until(() => fake.sockets.length === 2, 'the reconnect after the scan');
    fake.latest().open();
    await until(async () => (await status(first)).status === 'connected', 'connected');
    expect((await status(first)).phone).to.equal('59170000009');
    const auth = first.app.modules.store.collection(AUTH_COLLECTION);
    await until(async () => (await auth.countDocuments({ instance_id: id, type: 'creds' })) === 1, 'creds in the store');

    // graceful shutdown closes the socket
    await first.close();
    expect(fake.sockets.every((s) => s.ended)).to.equal(true);

    // a new process reconnects by itself, with the stored link: no QR, no pairing
    const second = await startTestServer({ dataDir: first.dataDir, app: { baileysSocketFactory: fake.factory } });
    try {
      await until(() => fake.sockets.length === 3, 'the restored connection');
      expect(fake.latest().options.auth.creds.me?.id).to.equal('59170000009:5@s.whatsapp.net');
      fake.latest().open();
      await until(async () => (await status(second)).status === 'connected', 'connected again');

      // deleting the instance unlinks it and removes its auth state
      expect((await second.request('DELETE', `/v1/instances/${id}`, { token })).status).to.equal(204);
      expect(fake.latest().callsTo('logout')).to.have.length(1);
      expect(await second.app.modules.store.collection(AUTH_COLLECTION).countDocuments({ instance_id: id })).to.equal(0);
    } finally {
      await second.close({ cleanup: true });
    }
    expect(fake.sockets.every((s) => s.ended)).to.equal(true);
  });
});
