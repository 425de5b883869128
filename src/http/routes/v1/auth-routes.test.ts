import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { SharedSecretsRepo } from '../../../store/repositories/shared-secrets.js';

describe('HTTP /v1/auth and /v1/users/me', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  const account = (u: string) => ({ name: 'Ana', phone: '+59171234567', email: `${u}@example.com`, username: u, password: 'correct horse', gst: 'GST1' });

  it('registers, logs in with username or email, reads me, and logs out for good', async () => {
    const reg = await t.request('POST', '/v1/auth/register', { json: account('ana') });
    expect(reg.status).to.equal(201);
    expect(reg.body.user).to.include({ username: 'ana', email: 'ana@example.com', gst: 'GST1' });
    expect(reg.body.user).to.not.have.property('password_hash');

    const byEmail = await t.request('POST', '/v1/auth/login', { json: { username: 'ANA@example.com', password: 'correct horse' } });
    expect(byEmail.status).to.equal(200);
    const login = await t.request('POST', '/v1/auth/login', { json: { username: 'ana', password: 'correct horse' } });
    expect(login.status).to.equal(200);
    expect(login.body.token_type).to.equal('Bearer');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).to.match(/tucan_session=/).and.match(/httponly/i).and.match(/samesite=lax/i);

    const header = JSON.parse(Buffer.from(login.body.token.split('.')[0], 'base64url').toString());
    expect(header.alg).to.equal('HS256');
    const claims = jwt.decode(login.body.token) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).to.equal(t.config.auth.tokenTtlSeconds);

    const me = await t.request('GET', '/v1/users/me', { token: login.body.token });
    expect(me.status).to.equal(200);
    expect(me.body).to.include({ username: 'ana', name: 'Ana' });
    // the cookie alone works too (browser use)
    const viaCookie = await t.request('GET', '/v1/users/me', { headers: { cookie: cookie.split(';')[0] } });
    expect(viaCookie.status).to.equal(200);

    const out = await t.request('POST', '/v1/auth/logout', { token: login.body.token });
    expect(out.status).to.equal(204);
    const after = await t.request('GET', '/v1/users/me', { token: login.body.token });
    expect(after.status).to.equal(401);
    expect(after.body.detail).to.match(/revoked/);
    // the other session is unaffected
    expect((await t.request('GET', '/v1/users/me', { token: byEmail.body.token })).status).to.equal(200);
  });

  it('answers 409 for a duplicate username or email, in any case', async () => {
    await t.request('POST', '/v1/auth/register', { json: account('dup') });
    const sameUser = await t.request('POST', '/v1/auth/register', { json: { ...account('DUP'), email: 'other@example.com' } });
    expect(sameUser.status).to.equal(409);
    expect(sameUser.body.errors[0].field).to.equal('body.username');
    const sameEmail = await t.request('POST', '/v1/auth/register', { json: { ...account('other'), email: 'Dup@Example.com' } });
    expect(sameEmail.status).to.equal(409);
    expect(sameEmail.body.errors[0].field).to.equal('body.email');
  });

  it('does not reveal which login field was wrong', async () => {
    await t.request('POST', '/v1/auth/register', { json: account('bob') });
    const wrongPassword = await t.request('POST', '/v1/auth/login', { json: { username: 'bob', password: 'nope nope' } });
    const noSuchUser = await t.request('POST', '/v1/auth/login', { json: { username: 'nobody', password: 'nope nope' } });
    expect(wrongPassword.status).to.equal(401);
    expect(noSuchUser.status).to.equal(401);
    expect(wrongPassword.body.detail).to.equal(noSuchUser.body.detail);
  });

  it('rejects bad registration input with the field named, and creates nothing', async () => {
    const cases: [unknown, string][] = [
      [{ ...account('x1'), email: 'not-an-email' }, 'body.email'],
      [{ ...account('x2'), password: 'short' }, 'body.password'],
      [{ ...account('x3'), username: 'a b' }, 'body.username'],
      [{ ...account('x4'), phone: 'call me' }, 'body.phone'],
      [{ ...account('x5'), admin: true }, 'body.admin'],
      [{ ...account('x6'), name: 42 }, 'body.name'],
      [(({ name: _n, ...rest }) => rest)(account('x7')), 'body.name'],
    ];
    for (const [json, field] of cases) {
      const res = await t.request('POST', '/v1/auth/register', { json });
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.include(field);
    }
    const login = await t.request('POST', '/v1/auth/login', { json: { username: 'x1', password: 'correct horse' } });
    expect(login.status).to.equal(401);
  });

  it('rejects malformed JSON, wrong content types and oversized bodies with 4xx', async () => {
    const malformed = await t.request('POST', '/v1/auth/login', { body: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.errors[0]).to.deep.equal({ field: 'body', message: 'is not valid JSON' });
    const text = await t.request('POST', '/v1/auth/login', { body: 'username=a', headers: { 'content-type': 'text/plain' } });
    expect(text.status).to.equal(415);
    const huge = await t.request('POST', '/v1/auth/register', { json: { ...account('big'), name: 'x'.repeat(t.config.http.jsonLimitBytes + 10) } });
    expect(huge.status).to.equal(413);
  });

  it('refuses expired, tampered, wrongly signed and alg:none tokens', async () => {
    await t.request('POST', '/v1/auth/register', { json: account('carol') });
    const login = await t.request('POST', '/v1/auth/login', { json: { username: 'carol', password: 'correct horse' } });
    const token: string = login.body.token;
    const claims = jwt.decode(token) as { sub: string; jti: string };
    const secret = (await new SharedSecretsRepo(t.app.modules.store).get('jwt_secret'))!;

    const expired = jwt.sign({ sub: claims.sub, jti: claims.jti }, secret, { algorithm: 'HS256', expiresIn: -10 });
    const forged = jwt.sign({ sub: claims.sub, jti: claims.jti }, 'x'.repeat(48), { algorithm: 'HS256' });
    const [h, p, s] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, sub: '000000000000000000000000' })).toString('base64url');
    const tampered = `${h}.${otherPayload}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const hs512 = jwt.sign({ sub: claims.sub, jti: claims.jti }, secret, { algorithm: 'HS512' });

    for (const [label, bad] of Object.entries({ expired, forged, tampered, none, hs512, garbage: 'abc.def.ghi', empty: '' })) {
      const res = await t.request('GET', '/v1/users/me', { headers: { authorization: `Bearer ${bad}` } });
      expect(res.status, label).to.equal(401);
      expect(res.body.status, label).to.equal(401);
    }
    const expiredRes = await t.request('GET', '/v1/users/me', { token: expired });
    expect(expiredRes.body.detail).to.match(/expired/);
    expect((await t.request('GET', '/v1/users/me')).status).to.equal(401);
    expect((await t.request('GET', '/v1/users/me', { headers: { authorization: 'Basic abc' } })).status).to.equal(401);
  });

  it('keeps the generated JWT secret in the store (every node shares it), not in the data directory', async () => {
    const secret = await new SharedSecretsRepo(t.app.modules.store).get('jwt_secret');
    expect(Buffer.from(secret!, 'base64url').length).to.be.at.least(32);
    expect(fs.existsSync(path.join(t.dataDir, 'jwt-secret'))).to.equal(false);
  });
});

describe('HTTP auth rate limiting', () => {
  it('limits login and registration per IP with Retry-After', async () => {
    const t = await startTestServer({ config: { http: { authRateLimit: { windowSeconds: 60, max: 3 } } } });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await t.request('POST', '/v1/auth/login', { json: { username: 'x', password: 'yyyyyyyy' } });
        statuses.push(last.status);
      }
      expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).to.be.greaterThan(0);
      expect(last!.headers.get('ratelimit-limit')).to.equal('3');
      expect(last!.headers.get('ratelimit-remaining')).to.equal('0');
      // the limit is on the auth routes, not on health
      expect((await t.request('GET', '/health')).status).to.equal(200);
    } finally {
      await t.close({ cleanup: true });
    }
  });
});

describe('HTTP per-account login throttle', () => {
  let t: TestServer;
  before(async () => {
    // behind a proxy: each request may come from another address
    t = await startTestServer({ config: { server: { trustProxy: true } } });
  });
  after(() => t.close({ cleanup: true }));

  let ip = 0;
  const from = () => ({ 'x-forwarded-for': `203.0.113.${++ip % 250}` });
  const register = (u: string) => t.request('POST', '/v1/auth/register', { json: { name: 'Ana', phone: '+59171234567', email: `${u}@example.com`, username: u, password: 'correct horse' } });
  const login = (username: string, password: string) => t.request('POST', '/v1/auth/login', { headers: from(), json: { username, password } });

  it('after 10 failures from any addresses, the account answers 429 with Retry-After, even to its password, in every dialect', async () => {
    expect((await register('victim')).status).to.equal(201);
    expect((await register('bystander')).status).to.equal(201);
    const statuses: number[] = [];
    // by username and by e-mail: one account
    for (let i = 0; i < 10; i++) statuses.push((await login(i % 2 ? 'victim' : 'VICTIM@example.com', `guess-${i}`)).status);
    expect(statuses).to.deep.equal(Array(10).fill(401));

    const locked = await login('victim', 'correct horse');
    expect(locked.status).to.equal(429);
    expect(Number(locked.headers.get('retry-after'))).to.equal(60);
    expect(locked.body.detail).to.match(/too many failed logins for this account/);
    const seed002 = await t.request('POST', '/api/auth/login', { headers: from(), json: { username: 'victim', password: 'correct horse' } });
    expect(seed002.status).to.equal(429);
    expect(seed002.headers.get('retry-after')).to.equal('60');
    expect(seed002.body).to.include({ success: false });
    // other accounts log in as usual
    expect((await login('bystander', 'correct horse')).status).to.equal(200);
  });

  it('a successful login clears the count', async () => {
    expect((await register('forgetful')).status).to.equal(201);
    for (let i = 0; i < 9; i++) expect((await login('forgetful', `nope-${i}`)).status).to.equal(401);
    expect((await login('forgetful', 'correct horse')).status).to.equal(200);
    for (let i = 0; i < 9; i++) expect((await login('forgetful', `nope-${i}`)).status).to.equal(401);
    expect((await login('forgetful', 'correct horse')).status).to.equal(200);
  });

  it('a flood of failed logins gets 429s, never 5xx, and a real login still gets an answer', async () => {
    // a slow hash, as in production, so the flood overlaps
    const slow = await startTestServer({ config: { server: { trustProxy: true }, auth: { scrypt: { N: 32768, r: 8, p: 1 } } } });
    try {
      const reg = await slow.request('POST', '/v1/auth/register', { json: { name: 'Ana', phone: '+59171234567', email: 'real@example.com', username: 'real', password: 'correct horse' } });
      expect(reg.status).to.equal(201);
      const flood = Array.from({ length: 40 }, (_, i) => slow.request('POST', '/v1/auth/login', { headers: { 'x-forwarded-for': `198.51.100.${i}` }, json: { username: `nobody${i}`, password: 'whatever' } }));
      const real = slow.request('POST', '/v1/auth/login', { headers: { 'x-forwarded-for': '192.0.2.1' }, json: { username: 'real', password: 'correct horse' } });
      const answers = await Promise.all([...flood, real]);
      const statuses = answers.map((a) => a.status);
      expect(statuses.every((s) => s < 500), statuses.join(',')).to.equal(true);
      expect(statuses.slice(0, 40).every((s) => s === 401 || s === 429), statuses.join(',')).to.equal(true);
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length, statuses.join(',')).to.be.greaterThan(0);
      for (const r of refused) expect(r.headers.get('retry-after')).to.equal('1');
      expect([200, 429]).to.include((await real).status);
      // once the flood is over, the real login works
      expect((await slow.request('POST', '/v1/auth/login', { json: { username: 'real', password: 'correct horse' } })).status).to.equal(200);
    } finally {
      await slow.close({ cleanup: true });
    }
  });
});
