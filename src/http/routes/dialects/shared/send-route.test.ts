import { expect } from 'chai';
import QRCode from 'qrcode';
import { CookieSession } from '../../../../test-support/cookie-session.js';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

/** Polls until `check` returns something; the bound only stops a hung test, it asserts no timing. */
async function until<T>(check: () => Promise<T | null | false | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const soon = (ms = 1500) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString();
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function form(fields: Record<string, string>, file?: { field: string; data: Buffer; type: string; name: string }): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append(file.field, new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  return fd;
}

describe('POST /api/messages/send, shared by seed 001 (X-API-Key) and seed 002 (session cookie)', () => {
  let t: TestServer;
  let n = 0;

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  /** Seed 002: a user registered through its own route, whose default instance is a connected sandbox. */
  async function seed002User(): Promise<{ browser: CookieSession; instanceId: string }> {
    const browser = new CookieSession(t);
    const username = `send${++n}${process.pid}`;
    await browser.request('POST', '/api/auth/register', {
      json: { name: 'John Doe', phone: '+1234567890', email: `${username}@example.com`, username, password: 'securePassword123', gst: 'GST12345' },
    });
    const created = await browser.request('POST', '/v1/instances', { json: { engine: 'sandbox' } });
    await browser.request('POST', `/v1/instances/${created.body.id}/connect`);
    return { browser, instanceId: created.body.id };
  }

  it("seed 001: X-API-Key and the seed's JSON body; answers with both seeds' fields, under seed 001's rate limit", async () => {
    const owner = await t.owner();
    const inst = await t.sandboxInstance(owner.token);
    const res = await t.request('POST', '/api/messages/send', { apiKey: inst.token, json: { phone: '573001234567', message: 'Hola, este es un mensaje de prueba' } });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      success: true,
      message: 'Message sent',
      data: { messageId: res.body.messageId, phone: '573001234567', status: res.body.data.status, timestamp: res.body.data.timestamp },
      messageId: res.body.messageId,
      scheduledFor: null,
    });
    expect(res.body.data.timestamp).to.match(ISO);
    // the sandbox may have reported delivery already
    expect(res.body.data.status).to.be.oneOf(['sent', 'delivered']);
    expect(res.headers.get('ratelimit-policy')).to.equal(`"seed";q=${t.config.http.seedApiRateLimit.max};w=${t.config.http.seedApiRateLimit.windowSeconds}`);
    const sent = await t.app.modules.engines.sandbox.listSent(inst.id);
    expect(sent.map((m) => [m.jid, m.content])).to.deep.equal([['573001234567@s.whatsapp.net', { type: 'text', text: 'Hola, este es un mensaje de prueba' }]]);
    // the same message through the native API
    const native = await t.request('GET', `/v1/instances/${inst.id}/messages/${res.body.messageId}`, { apiKey: inst.token });
    expect(native.body.text).to.equal('Hola, este es un mensaje de prueba');
  });

  it("seed 002: session cookie and the seed's multipart form with a mediaFile; acts on the user's default instance", async () => {
    const { browser, instanceId } = await seed002User();
    const png = await QRCode.toBuffer('a picture', { type: 'png' });
    const res = await browser.request('POST', '/api/messages/send', {
      body: form({ phoneId: '+573001234567', message: 'Look at this' }, { field: 'mediaFile', data: png, type: 'image/png', name: 'photo.png' }),
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, messageId: res.body.data.messageId, scheduledFor: null });
    expect(res.body.data.phone).to.equal('573001234567');
    expect(res.body.data.status).to.be.oneOf(['sent', 'delivered']);
    const [sent] = await t.app.modules.engines.sandbox.listSent(instanceId);
    expect(sent.jid).to.equal('573001234567@s.whatsapp.net');
    expect(sent.content).to.deep.include({ type: 'image', caption: 'Look at this' });
    expect((sent.content.media as { size: number }).size).to.equal(png.length);
    // cookie callers are not counted against seed 001's per-IP limit
    expect(res.headers.get('ratelimit-policy') ?? '').not.to.contain('"seed"');
  });

  it('seed 002: a scheduledTime stores the message and sends it when due, even while WhatsApp is offline', async () => {
    const { browser, instanceId } = await seed002User();
    const scheduledTime = soon();
    const res = await browser.request('POST', '/api/messages/send', { body: form({ phoneId: '+573001234567', message: 'Later', scheduledTime }) });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, message: 'Message scheduled', scheduledFor: scheduledTime });
    expect(res.body.data.status).to.equal('scheduled');
    expect(await t.app.modules.engines.sandbox.listSent(instanceId)).to.deep.equal([]);
    const sent = await until(async () => (await t.app.modules.engines.sandbox.listSent(instanceId))[0], 'the scheduled send');
    expect(sent.content).to.deep.equal({ type: 'text', text: 'Later' });
    expect(sent.sent_at).to.be.at.least(Date.parse(scheduledTime));

    // not connected: scheduling still works, an immediate send is 503 (seed 001's code)
    await browser.request('POST', `/v1/instances/${instanceId}/logout`);
    const offline = await browser.request('POST', '/api/messages/send', { json: { phoneId: '+573001234567', message: 'now' } });
    expect(offline.status).to.equal(503);
    expect(offline.body).to.include({ success: false });
    expect(offline.body.error).to.match(/not connected/).and.to.contain('scheduledTime').and.not.to.contain('queue');
    expect(offline.body.message).to.equal(offline.body.error);
    const scheduled = await browser.request('POST', '/api/messages/send', { json: { phoneId: '+573001234567', message: 'when back', scheduledTime: soon(60_000) } });
    expect(scheduled.status).to.equal(200);
  });

  it('takes either body field with either credential, as JSON, a form or multipart', async () => {
    const { browser, instanceId } = await seed002User();
    const inst = await browser.request('POST', `/v1/instances/${instanceId}/token`);
    const apiKey: string = inst.body.access_token;
    expect(apiKey).to.be.a('string');
    const answers = [
      await browser.request('POST', '/api/messages/send', { json: { phone: '573001234567', message: 'cookie + phone' } }),
      await browser.request('POST', '/api/messages/send', { body: new URLSearchParams({ phoneId: '+573001234567', message: 'cookie + form' }) }),
      await t.request('POST', '/api/messages/send', { apiKey, body: form({ phoneId: '+573001234567', message: 'key + multipart' }) }),
      await t.request('POST', '/api/messages/send', { apiKey, body: new URLSearchParams({ phone: '573001234567', message: 'key + form' }) }),
    ];
    expect(answers.map((a) => a.status), JSON.stringify(answers.map((a) => a.body))).to.deep.equal([200, 200, 200, 200]);
    const texts = (await t.app.modules.engines.sandbox.listSent(instanceId)).map((m) => m.content.text);
    expect(texts).to.deep.equal(['cookie + phone', 'cookie + form', 'key + multipart', 'key + form']);
  });

  it('seed 002: aiModifications vary the sent text as on /api/messages/schedule (JSON, or JSON text in multipart); a bad one is a 400', async () => {
    const { browser, instanceId } = await seed002User();
    const text = 'Hi! We are having a big sale this weekend. Come visit our store and get great discounts on all products.';
    const mods = { useSynonyms: true };
    for (let i = 0; i < 6; i++) {
      const res = await browser.request('POST', '/api/messages/send', i % 2 ? { json: { phoneId: '+573001234567', message: text, aiModifications: mods } } : { body: form({ phoneId: '+573001234567', message: text, aiModifications: JSON.stringify(mods) }) });
      expect(res.status, res.text).to.equal(200);
    }
    const sent = (await t.app.modules.engines.sandbox.listSent(instanceId)).map((m) => m.content.text as string);
    expect(sent).to.have.length(6);
    // each copy varied on its own (not the text as written every time), keeping the numbers of words and sentences
    expect(sent.filter((s) => s !== text), sent.join('\n')).to.not.be.empty;
    for (const s of sent) expect(s.split(/\s+/).length).to.equal(text.split(/\s+/).length);

    const bad = await browser.request('POST', '/api/messages/send', { json: { phoneId: '+573001234567', message: text, aiModifications: { useSynonym: true } } });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.contain('aiModifications.useSynonym');
  });

  it('answers bad input with 400 naming the field the caller used, with both error and message', async () => {
    const owner = await t.owner();
    const inst = await t.sandboxInstance(owner.token);
    const { browser } = await seed002User();
    const cases: [string, unknown, string][] = [
      ['key', { message: 'no recipient' }, 'body.phone'],
      ['key', { phone: '12', message: 'x' }, 'body.phone'],
      ['key', { phone: '573001234567' }, 'body.message'],
      ['key', { phone: '573001234567', message: '   ' }, 'body.message'],
      ['key', { phone: '573001234567', message: 7 }, 'body.message'],
      ['cookie', { phoneId: 'abc', message: 'x' }, 'body.phoneId'],
      ['cookie', { phone: '573001234567', phoneId: '+573001234567', message: 'x' }, 'body.phoneId'],
      ['cookie', { phoneId: '+573001234567', message: 'x', scheduledTime: 'tomorrow' }, 'body.scheduledTime'],
      ['cookie', { phoneId: '+573001234567', message: 'x', scheduledTime: '2001-01-01T00:00:00Z' }, 'body.scheduledTime'],
    ];
    for (const [who, json, field] of cases) {
      const res = who === 'key' ? await t.request('POST', '/api/messages/send', { apiKey: inst.token, json }) : await browser.request('POST', '/api/messages/send', { json });
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.body.success).to.equal(false);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(json)).to.include(field);
      expect(res.body.error).to.contain(field);
      expect(res.body.message).to.equal(res.body.error);
    }
    const stray = await browser.request('POST', '/api/messages/send', { body: form({ phoneId: '+573001234567', message: 'x' }, { field: 'attachment', data: Buffer.from('hi'), type: 'text/plain', name: 'a.txt' }) });
    expect(stray.status).to.equal(400);
    expect(stray.body.errors[0].field).to.equal('attachment');
    const notJson = await t.request('POST', '/api/messages/send', { apiKey: inst.token, json: '{"phone":' });
    expect(notJson.status).to.equal(400);

    const anonymous = await t.request('POST', '/api/messages/send', { json: { phone: '573001234567', message: 'x' } });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body).to.include({ success: false });
    expect(anonymous.body.error).to.be.a('string');
  });

  it("applies seed 001's limit (100 requests / 15 min per IP by default) to API-key callers only", async () => {
    const limited = await startTestServer({ config: { http: { seedApiRateLimit: { windowSeconds: 900, max: 2 } } } });
    try {
      const owner = await limited.owner();
      const inst = await limited.sandboxInstance(owner.token);
      const send = () => limited.request('POST', '/api/messages/send', { apiKey: inst.token, json: { phone: '573001234567', message: 'hi' } });
      expect((await send()).headers.get('ratelimit-remaining')).to.equal('1');
      expect((await send()).status).to.equal(200);
      const refused = await send();
      expect(refused.status).to.equal(429);
      expect(refused.headers.get('retry-after')).to.match(/^\d+$/);
      expect(refused.body).to.include({ success: false });
      expect(refused.body.error).to.match(/rate limit/);
      // the refused request was not sent
      expect(await limited.app.modules.engines.sandbox.countSent(inst.id)).to.equal(2);
      // a logged-in seed 002 user from the same IP still sends
      const cookie = `${limited.config.auth.cookieName}=${owner.token}`;
      const viaCookie = await limited.request('POST', '/api/messages/send', { headers: { cookie }, json: { phoneId: '+573001234567', message: 'still fine' } });
      expect(viaCookie.status).to.equal(200);
    } finally {
      await limited.close({ cleanup: true });
    }
  });

  it('appears in the OpenAPI document once, under its own tag, with both credentials and all three encodings', () => {
    const doc = t.app.openApi() as { paths: Record<string, Record<string, { tags: string[]; security: unknown[]; requestBody: { content: Record<string, unknown> } }>>; tags: { name: string }[] };
    const op = doc.paths['/api/messages/send'].post;
    expect(op.tags).to.deep.equal(['Seeds 001 + 002: shared paths']);
    expect(op.security).to.deep.include({ apiKeyAuth: [] }).and.to.deep.include({ cookieAuth: [] });
    expect(Object.keys(op.requestBody.content)).to.have.members(['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded']);
    expect(doc.tags.map((tag) => tag.name)).to.include('Seeds 001 + 002: shared paths').and.to.include('Seed 002: WhatsApp Automation API');
    for (const p of ['/api/auth/register', '/api/auth/login', '/api/auth/logout', '/api/users/me', '/api/whatsapp/createqr', '/api/whatsapp/status', '/api/whatsapp/groups', '/api/messages/schedule', '/api/messages/queue']) {
      const ops = Object.values(doc.paths[p] ?? {});
      expect(ops, p).to.have.length(1);
      expect(ops[0].tags, p).to.deep.equal(['Seed 002: WhatsApp Automation API']);
    }
  });
});
