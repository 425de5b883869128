import { expect } from 'chai';
import { startTestServer } from '../../../test-support/test-server.js';

describe('HTTP connection lifecycle and restarts', () => {
  it('connects, restarts, logs out, and reports status', async () => {
    const t = await startTestServer();
    try {
      const { token } = await t.owner();
      const created = await t.request('POST', '/v1/instances', { token, json: { engine: 'sandbox' } });
      const id = created.body.id;
      const status = () => t.request('GET', `/v1/instances/${id}/status`, { token });
      expect((await status()).body).to.deep.include({ status: 'disconnected', is_ready: false, has_qr: false, phone: null });
      const connect = await t.request('POST', `/v1/instances/${id}/connect`, { token });
      expect(connect.status).to.equal(202);
      expect(connect.body).to.include({ status: 'connected', is_ready: true });
      const restart = await t.request('POST', `/v1/instances/${id}/restart`, { token });
      expect(restart.status).to.equal(202);
      expect(restart.body.status).to.equal('connected');
      const logout = await t.request('POST', `/v1/instances/${id}/logout`, { token });
      expect(logout.status).to.equal(200);
      expect(logout.body.status).to.equal('logged_out');
      expect((await status()).body).to.include({ status: 'logged_out', is_ready: false });
      expect((await t.request('POST', `/v1/instances/${id}/connect`, { token })).body.status).to.equal('connected');
    } finally {
      await t.close({ cleanup: true });
    }
  });

  it('keeps owners, instances and settings across a restart and reconnects connected instances', async () => {
    const first = await startTestServer();
    const { token, username } = await first.owner();
    const connected = await first.sandboxInstance(token, { name: 'kept' });
    const idle = await first.request('POST', '/v1/instances', { token, json: { engine: 'sandbox', name: 'idle' } });
    await first.request('PUT', `/v1/instances/${connected.id}/settings/active-hours`, { token, json: { from: '08:00', to: '17:00' } });
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      // the JWT is still valid (same generated secret, same session), and so is the instance token
      expect((await second.request('GET', '/v1/users/me', { token })).body.username).to.equal(username);
      const settings = await second.request('GET', `/v1/instances/${connected.id}/settings`, { apiKey: connected.token });
      expect(settings.body.active_hours).to.deep.equal({ from: '08:00', to: '17:00' });
      expect((await second.request('GET', `/v1/instances/${connected.id}/status`, { token })).body.status).to.equal('connected');
      expect((await second.request('GET', `/v1/instances/${idle.body.id}/status`, { token })).body.status).to.equal('disconnected');
    } finally {
      await second.close({ cleanup: true });
    }
  });
});
