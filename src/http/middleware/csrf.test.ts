import { expect } from 'chai';
import { CookieSession } from '../../test-support/cookie-session.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

describe('CSRF protection of cookie sessions', () => {
  let t: TestServer;
  let browser: CookieSession;
  let bearer: string;

  before(async () => {
    t = await startTestServer();
    browser = new CookieSession(t);
    const account = { name: 'Ana', phone: '+59171234567', email: 'csrf@example.com', username: 'csrf', password: 'correct horse' };
    expect((await browser.request('POST', '/v1/auth/register', { json: account })).status).to.equal(201);
    const login = await browser.request('POST', '/v1/auth/login', { json: { username: 'csrf', password: 'correct horse' } });
    expect(login.status).to.equal(200);
    bearer = login.body.token;
  });
  after(() => t.close({ cleanup: true }));

  const create = (name: string) => ({ json: { name, engine: 'sandbox' } });
  const fromSite = (site: string, extra: Record<string, string> = {}) => ({ 'sec-fetch-site': site, origin: 'https://evil.example', ...extra });

  it('sets a readable CSRF cookie beside the HttpOnly session at login', () => {
    const token = browser.cookie('tucan_csrf');
    expect(token).to.match(/^[A-Za-z0-9_-]{32}$/);
  });

  it('refuses a state change another site makes with the cookie, with 403 naming the header', async () => {
    for (const headers of [fromSite('cross-site'), fromSite('same-site'), { origin: 'https://evil.example' }]) {
      const res = await browser.request('POST', '/v1/instances', { ...create('forged'), headers });
      expect(res.status, JSON.stringify(headers)).to.equal(403);
      expect(res.body.detail).to.contain('X-CSRF-Token');
    }
    const del = await browser.request('POST', '/v1/auth/logout', { headers: fromSite('cross-site') });
    expect(del.status).to.equal(403);
    const list = await browser.request('GET', '/v1/instances');
    expect(list.body.instances.map((i: { name: string }) => i.name)).to.not.include('forged');
  });

  it('lets the same request through with the token (double submit), from our own pages, and from scripts without browser headers', async () => {
    const token = browser.cookie('tucan_csrf')!;
    const withToken = await browser.request('POST', '/v1/instances', { ...create('with-token'), headers: fromSite('cross-site', { 'x-csrf-token': token }) });
    expect(withToken.status, withToken.text).to.equal(201);
    const wrongToken = await browser.request('POST', '/v1/instances', { ...create('wrong-token'), headers: fromSite('cross-site', { 'x-csrf-token': 'x'.repeat(token.length) }) });
    expect(wrongToken.status).to.equal(403);
    const ownPage = await browser.request('POST', '/v1/instances', { ...create('own-page'), headers: { 'sec-fetch-site': 'same-origin', origin: t.url } });
    expect(ownPage.status, ownPage.text).to.equal(201);
    const script = await browser.request('POST', '/v1/instances', create('curl'));
    expect(script.status, script.text).to.equal(201);
  });

  it('never checks Bearer or X-API-Key calls, nor reads', async () => {
    const viaBearer = await t.request('POST', '/v1/instances', { token: bearer, ...create('bearer'), headers: fromSite('cross-site') });
    expect(viaBearer.status, viaBearer.text).to.equal(201);
    const inst = await t.sandboxInstance(bearer);
    const viaKey = await t.request('POST', `/v1/instances/${inst.id}/messages`, { apiKey: inst.token, json: { to: '573001234567', text: 'hi' }, headers: fromSite('cross-site') });
    expect(viaKey.status, viaKey.text).to.be.below(300);
    const read = await browser.request('GET', '/v1/instances', { headers: fromSite('cross-site') });
    expect(read.status).to.equal(200);
  });

  it("seed 002's cookie API keeps working for its documented (non-browser) clients, and is guarded the same way", async () => {
    const user = new CookieSession(t);
    await user.request('POST', '/api/auth/register', { json: { name: 'B', phone: '+59171234568', email: 's2@example.com', username: 'seed2csrf', password: 'securePassword123' } });
    const created = await user.request('POST', '/v1/instances', { json: { engine: 'sandbox' } });
    await user.request('POST', `/v1/instances/${created.body.id}/connect`);
    const scheduledTime = new Date(Date.now() + 3_600_000).toISOString();
    const ok = await user.request('POST', '/api/messages/schedule', { json: { phoneId: '+573001234567', message: 'hola', scheduledTime } });
    expect(ok.status, ok.text).to.equal(200);
    const forged = await user.request('POST', '/api/messages/schedule', { json: { phoneId: '+573001234567', message: 'hola', scheduledTime }, headers: fromSite('cross-site') });
    expect(forged.status).to.equal(403);
    expect(forged.body).to.include({ success: false });
  });
});
