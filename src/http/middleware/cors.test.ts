import { expect } from 'chai';
import { loadConfig } from '../../config.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

const APP = 'https://app.example.com';
const preflight = (origin: string, method = 'POST', headers = 'authorization,content-type') => ({
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

describe('CORS', () => {
  describe('with TUCAN_CORS_ORIGINS listing an origin', () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ config: { http: { corsOrigins: [APP] } } });
    });
    after(() => t.close({ cleanup: true }));

    it('answers the preflight of a listed origin on any route, with credentials and the headers the API takes', async () => {
      for (const path of ['/v1/instances', '/v1/instances/6650f1c2a1b2c3d4e5f60718/messages', '/api/messages/send', '/whatsapp/setWebhook']) {
        const res = await t.request('OPTIONS', path, preflight(APP));
        expect(res.status, path).to.equal(204);
        expect(res.headers.get('access-control-allow-origin'), path).to.equal(APP);
        expect(res.headers.get('access-control-allow-credentials')).to.equal('true');
        expect(res.headers.get('access-control-allow-methods')).to.contain('PATCH').and.contain('DELETE');
        const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase();
        for (const h of ['authorization', 'x-api-key', 'content-type', 'idempotency-key', 'x-csrf-token']) expect(allowed).to.contain(h);
        expect(Number(res.headers.get('access-control-max-age'))).to.be.greaterThan(0);
        expect(res.headers.get('vary')?.toLowerCase()).to.contain('origin');
      }
    });

    it('gives an unlisted origin no CORS headers, so the browser blocks it', async () => {
      const res = await t.request('OPTIONS', '/v1/instances', preflight('https://evil.example'));
      expect(res.headers.get('access-control-allow-origin')).to.equal(null);
      expect(res.headers.get('access-control-allow-credentials')).to.equal(null);
      const get = await t.request('GET', '/health', { headers: { origin: 'https://evil.example' } });
      expect(get.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('marks actual answers (errors included) for the listed origin and exposes the documented headers', async () => {
      const { token } = await t.owner();
      const ok = await t.request('GET', '/v1/instances', { token, headers: { origin: APP } });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('access-control-allow-origin')).to.equal(APP);
      expect(ok.headers.get('access-control-expose-headers')!.toLowerCase()).to.contain('x-request-id').and.contain('retry-after').and.contain('location');
      const denied = await t.request('GET', '/v1/instances', { headers: { origin: APP } });
      expect(denied.status).to.equal(401);
      expect(denied.headers.get('access-control-allow-origin')).to.equal(APP);
    });
  });

  it('sends no CORS headers at all by default', async () => {
    const t = await startTestServer();
    try {
      const res = await t.request('OPTIONS', '/v1/instances', preflight(APP));
      expect(res.headers.get('access-control-allow-origin')).to.equal(null);
      const get = await t.request('GET', '/health', { headers: { origin: APP } });
      expect(get.headers.get('access-control-allow-origin')).to.equal(null);
    } finally {
      await t.close({ cleanup: true });
    }
  });

  it("'*' opens the API to any origin, never with credentials", async () => {
    const t = await startTestServer({ config: { http: { corsOrigins: ['*'] } } });
    try {
      const res = await t.request('OPTIONS', '/v1/instances', preflight('https://anyone.example'));
      expect(res.status).to.equal(204);
      expect(res.headers.get('access-control-allow-origin')).to.equal('*');
      expect(res.headers.get('access-control-allow-credentials')).to.equal(null);
    } finally {
      await t.close({ cleanup: true });
    }
  });

  it('refuses a malformed origin in the configuration, naming the setting', async () => {
    expect(() => loadConfig({ TUCAN_CORS_ORIGINS: 'https://app.example.com, https://app.example.com/path' })).to.throw(/TUCAN_CORS_ORIGINS|http\.corsOrigins/);
    expect(loadConfig({ TUCAN_CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).http.corsOrigins).to.deep.equal(['https://a.example', 'http://localhost:5173']);
  });
});
