import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

describe('seed 001 dialect: rate limit', () => {
  let t: TestServer;
  let inst: { id: string; token: string };

  before(async () => {
    // the seed's policy is 100 per 15 minutes; 4 keeps the test short
    t = await startTestServer({ config: { http: { seedApiRateLimit: { windowSeconds: 900, max: 4 } }, contacts: { checkIntervalMs: 0, checkJitterMs: 0 } } });
    inst = await t.sandboxInstance((await t.owner()).token);
  });
  after(() => t.close({ cleanup: true }));

  it('counts every seed 001 route per IP, with the RateLimit headers, then answers 429 with Retry-After in the seed envelope', async () => {
    const calls = [
      () => t.request('GET', '/api/session/status', { apiKey: inst.token }),
      () => t.request('GET', '/api/contacts/check/573001234567', { apiKey: inst.token }),
      () => t.request('GET', '/api/webhooks', { apiKey: inst.token }),
      () => t.request('POST', '/api/messages/send', { apiKey: inst.token, json: { phone: '573001234567', message: 'hola' } }),
    ];
    for (const [i, call] of calls.entries()) {
      const res = await call();
      expect(res.status, `call ${i}`).to.equal(200);
      expect(res.headers.get('ratelimit-limit')).to.equal('4');
      expect(res.headers.get('ratelimit-remaining')).to.equal(String(3 - i));
      expect(Number(res.headers.get('ratelimit-reset'))).to.be.within(1, 900);
      expect(res.headers.get('ratelimit-policy')).to.equal('"seed";q=4;w=900');
    }
    const limited = await t.request('GET', '/api/session/status', { apiKey: inst.token });
    expect(limited.status).to.equal(429);
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 900);
    expect(limited.headers.get('ratelimit-remaining')).to.equal('0');
    expect(limited.body.success).to.equal(false);
    expect(limited.body.error).to.match(/^Demasiadas solicitudes: /);
    // the limit applies before anything else happens: an unauthenticated caller is limited too
    const anonymous = await t.request('POST', '/api/messages/send-image', { json: {} });
    expect(anonymous.status).to.equal(429);

    // the native API is not under the seed limit
    expect((await t.request('GET', `/v1/instances/${inst.id}/status`, { apiKey: inst.token })).status).to.equal(200);
  });
});
