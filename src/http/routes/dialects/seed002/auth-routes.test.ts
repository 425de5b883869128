import { expect } from 'chai';
import { CookieSession } from '../../../../test-support/cookie-session.js';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

let n = 0;
/** The seed's own example registration, made unique per test. */
function johnDoe() {
  const username = `johndoe${++n}${process.pid}`;
  return { name: 'John Doe', phone: '+1234567890', email: `${username}@example.com`, username, password: 'securePassword123', gst: 'GST12345' };
}

describe('seed 002: accounts with cookie sessions', () => {
  let t: TestServer;
  let cookieName: string;
  before(async () => {
    t = await startTestServer();
    cookieName = t.config.auth.cookieName;
  });
  after(() => t.close({ cleanup: true }));

  it('registers, which also logs in: the HttpOnly session cookie is set and /api/users/me answers', async () => {
    const browser = new CookieSession(t);
    const user = johnDoe();
    const reg = await browser.request('POST', '/api/auth/register', { json: user });
    expect(reg.status).to.equal(200);
    expect(reg.body).to.deep.equal({ message: 'User registered successfully' });
    const cookie = reg.setCookies.find((c) => c.startsWith(`${cookieName}=`));
    expect(cookie).to.match(/; path=\//i).and.to.match(/; httponly/i);

    const me = await browser.request('GET', '/api/users/me');
    expect(me.status).to.equal(200);
    expect(me.body).to.deep.equal({ id: me.body.id, name: 'John Doe', email: user.email, username: user.username, phone: '+1234567890', gst: 'GST12345' });
    expect(me.body.id).to.match(/^[0-9a-f]{24}$/);
  });

  it('logs in with the seed body, and logs out: the session is revoked server-side and the cookie cleared', async () => {
    const user = johnDoe();
    await new CookieSession(t).request('POST', '/api/auth/register', { json: user });

    const browser = new CookieSession(t);
    const login = await browser.request('POST', '/api/auth/login', { json: { username: user.username, password: user.password } });
    expect(login.status).to.equal(200);
    expect(login.body).to.deep.equal({ message: 'Login successful', user: { name: 'John Doe', username: user.username, email: user.email } });
    const session = browser.cookie(cookieName)!;
    expect(session).to.be.a('string').and.not.be.empty;
    expect((await browser.request('GET', '/api/users/me')).status).to.equal(200);

    const logout = await browser.request('POST', '/api/auth/logout');
    expect(logout.status).to.equal(200);
    expect(logout.body).to.deep.equal({ message: 'Logged out successfully' });
    const cleared = logout.setCookies.find((c) => c.startsWith(`${cookieName}=`))!;
    expect(cleared).to.match(new RegExp(`^${cookieName}=;`)).and.to.match(/expires=Thu, 01 Jan 1970/i);
    expect(browser.cookie(cookieName)).to.equal(undefined);

    // a copy of the old cookie no longer works: the session is gone on the server
    const replay = await t.request('GET', '/api/users/me', { headers: { cookie: `${cookieName}=${session}` } });
    expect(replay.status).to.equal(401);
    expect(replay.body).to.include({ success: false });
    expect(replay.body.message).to.match(/revoked/);
  });

  it('answers bad input with 4xx naming the field, in its own envelope', async () => {
    const user = johnDoe();
    const { password: _p, ...noPassword } = user;
    const missing = await t.request('POST', '/api/auth/register', { json: noPassword });
    expect(missing.status).to.equal(400);
    expect(missing.headers.get('content-type')).to.contain('application/json');
    expect(missing.body.success).to.equal(false);
    expect(missing.body.errors).to.deep.equal([{ field: 'body.password', message: 'is required' }]);
    expect(missing.body.message).to.contain('body.password');

    const badEmail = await t.request('POST', '/api/auth/register', { json: { ...user, email: 'not-an-email' } });
    expect(badEmail.status).to.equal(400);
    expect(badEmail.body.errors[0].field).to.equal('body.email');

    expect((await t.request('POST', '/api/auth/register', { json: user })).status).to.equal(200);
    const again = await t.request('POST', '/api/auth/register', { json: { ...user, email: `other${user.email}` } });
    expect(again.status).to.equal(409);
    expect(again.body.errors).to.deep.equal([{ field: 'body.username', message: 'username is already registered' }]);

    const wrong = await t.request('POST', '/api/auth/login', { json: { username: user.username, password: 'wrong password' } });
    expect(wrong.status).to.equal(401);
    expect(wrong.body).to.include({ success: false, message: 'invalid login or password' });
    expect(wrong.headers.getSetCookie()).to.deep.equal([]);

    const noUser = await t.request('POST', '/api/auth/login', { json: { password: 'x' } });
    expect(noUser.status).to.equal(400);
    expect(noUser.body.errors[0].field).to.equal('body.username');

    const notJson = await t.request('POST', '/api/auth/login', { json: '{"username": ' });
    expect(notJson.status).to.equal(400);
    expect(notJson.body.errors[0].field).to.equal('body');
  });

  it('needs the session: 401 without it, 403 for an instance token', async () => {
    const none = await t.request('GET', '/api/users/me');
    expect(none.status).to.equal(401);
    expect(none.body.success).to.equal(false);
    expect((await t.request('POST', '/api/auth/logout')).status).to.equal(401);

    const owner = await t.owner();
    const inst = await t.sandboxInstance(owner.token);
    expect((await t.request('GET', '/api/users/me', { apiKey: inst.token })).status).to.equal(403);
    // the seed 002 session is tucan's login: a Bearer token works as well
    expect((await t.request('GET', '/api/users/me', { token: owner.token })).body.username).to.equal(owner.username);
  });
});
