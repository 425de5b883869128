/**
 * Each dialect's refusals point to that dialect's own routes and fields, and
 * every answer names the connection status the same way.
 */
import { expect } from 'chai';
import { CookieSession } from '../../../test-support/cookie-session.js';
import { startTestServer, type TestResponse, type TestServer } from '../../../test-support/test-server.js';

/** The human-readable text of an error, whatever the envelope. */
function text(res: TestResponse): string {
  const b = res.body as Record<string, unknown>;
  return String(b.detail ?? b.error ?? b.message);
}

describe('dialect hints name the dialect’s own routes, and status names agree', () => {
  let t: TestServer;
  let owner: string;
  let inst: { id: string; token: string };

  before(async () => {
    t = await startTestServer();
    owner = (await t.owner()).token;
    inst = await t.sandboxInstance(owner);
    // logged out: every status route says so, and so must every refusal
    expect((await t.request('POST', `/v1/instances/${inst.id}/logout`, { token: owner })).status).to.be.below(300);
  });
  after(() => t.close({ cleanup: true }));

  it('after a logout, status routes and the 503s of every dialect say logged_out', async () => {
    const statuses = {
      v1: (await t.request('GET', `/v1/instances/${inst.id}/status`, { token: owner })).body.status,
      seed001: (await t.request('GET', '/api/session/status', { apiKey: inst.token })).body.data.status,
      seed003: (await t.request('GET', `/whatsapp/instance?session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}`)).body.data.instance_data.status,
    };
    expect(statuses).to.deep.equal({ v1: 'logged_out', seed001: 'logged_out', seed003: 'logged_out' });
    const refusals = [
      await t.request('POST', `/v1/instances/${inst.id}/messages`, { token: owner, json: { to: '573001234567', text: 'x' } }),
      await t.request('POST', '/api/messages/send', { apiKey: inst.token, json: { phone: '573001234567', message: 'x' } }),
      await t.request('POST', '/api/messages/send-image', { apiKey: inst.token, json: { phone: '573001234567', base64: 'iVBORw0KGgo=', mimetype: 'image/png' } }),
      await t.request('GET', '/api/contacts/check/573001234567', { apiKey: inst.token }),
      await t.request('POST', '/whatsapp/send', { apiKey: inst.token, json: { code: '591', phone: '71234567', message: 'x' } }),
      await t.request('POST', '/whatsapp/message/sendText', { json: { session_id: inst.id, access_token: inst.token, to: '59171234567', message: 'x' } }),
      await t.request('GET', `/v1/instances/${inst.id}/groups`, { token: owner }),
    ];
    for (const res of refusals) {
      expect(res.status, res.text).to.equal(503);
      expect(text(res), res.text).to.match(/status: logged_out/);
    }
  });

  it('seed 001 is told to restart its session with its own routes, never /v1 or "queue"', async () => {
    for (const res of [
      await t.request('POST', '/api/messages/send-image', { apiKey: inst.token, json: { phone: '573001234567', base64: 'iVBORw0KGgo=', mimetype: 'image/png' } }),
      await t.request('POST', '/api/messages/send', { apiKey: inst.token, json: { phone: '573001234567', message: 'x' } }),
    ]) {
      expect(text(res)).to.contain('POST /api/session/restart').and.contain('GET /api/session/qr');
      expect(text(res)).to.not.match(/\/v1\/|queue/);
    }
    const noKey = await t.request('GET', '/api/session/status');
    expect(noKey.status).to.equal(401);
    expect(text(noKey)).to.contain('X-API-Key').and.not.contain('Bearer');
  });

  it('seed 002 without a cookie is told to log in, not about Bearer tokens; its 503 names its own routes', async () => {
    for (const path of ['/api/whatsapp/status', '/api/messages/queue']) {
      const res = await t.request('GET', path);
      expect(res.status).to.equal(401);
      expect(text(res)).to.contain('POST /api/auth/login').and.not.match(/Bearer|X-API-Key/);
    }
    const browser = new CookieSession(t);
    await browser.request('POST', '/api/auth/register', { json: { name: 'A', phone: '+59171234567', email: 'hints@example.com', username: 'hints', password: 'securePassword123' } });
    const offline = await browser.request('POST', '/api/messages/send', { json: { phoneId: '+573001234567', message: 'x' } });
    expect(offline.status).to.equal(503);
    expect(text(offline)).to.contain('GET /api/whatsapp/createqr').and.contain('scheduledTime').and.not.match(/\/api\/session|\/v1\/|queue/);
  });

  it('seed 003: its 401 names access_token, its 503 suggests no field it refuses', async () => {
    for (const res of [await t.request('GET', `/whatsapp/instance?session_id=${inst.id}`), await t.request('GET', `/whatsapp/instance?session_id=${inst.id}&access_token=tuc_wrong`)]) {
      expect(res.status).to.equal(401);
      expect(text(res)).to.contain('access_token');
    }
    const offline = await t.request('POST', '/whatsapp/message/sendText', { json: { session_id: inst.id, access_token: inst.token, to: '59171234567', message: 'x' } });
    expect(text(offline)).to.contain('POST /whatsapp/init').and.not.match(/queue|\/v1\//);
    // and the field is indeed not one seed 003 takes
    const queued = await t.request('POST', '/whatsapp/message/sendText', { json: { session_id: inst.id, access_token: inst.token, to: '59171234567', message: 'x', queue: true } });
    expect(queued.status).to.be.oneOf([400, 503]);
  });
});
