import { expect } from 'chai';
import { EVENT_TYPES } from '../../../domain/events.js';
import { testResolver } from '../../../test-support/resolver.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../../../test-support/webhook-receiver.js';

describe('webhook subscriptions API', () => {
  let s: TestServer;
  let strict: TestServer;
  let owner: { token: string };
  let instance: { id: string; token: string };
  let receiver: WebhookReceiver;

  before(async () => {
    s = await startTestServer({ config: { network: { allowLoopbackUrls: true, fetchTimeoutMs: 2000 } } });
    strict = await startTestServer();
    owner = await s.owner();
    instance = await s.sandboxInstance(owner.token);
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    await receiver.close();
    await s.close({ cleanup: true });
    await strict.close({ cleanup: true });
  });

  const base = () => `/v1/instances/${instance.id}/webhooks`;

  it('creates a subscription, shows the generated secret once and warns that send_webhook is off', async () => {
    const res = await s.request('POST', base(), { token: owner.token, json: { url: receiver.url, events: ['onMessage', 'message.status'], headers: { Authorization: 'Bearer abc' } } });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.secret).to.match(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(res.body.secret.slice(6), 'base64').length).to.be.within(24, 64);
    expect(res.body.events).to.deep.equal(['onMessage', 'message.status']);
    expect(res.body.headers).to.deep.equal({ Authorization: 'Bearer abc' });
    expect(res.body.enabled).to.equal(true);
    expect(res.body.warnings).to.have.length(1);
    expect(res.body.warnings[0]).to.match(/send_webhook is off/).and.match(/message\.received/);

    const got = await s.request('GET', `${base()}/${res.body.id}`, { token: owner.token });
    expect(got.status).to.equal(200);
    expect(got.body).to.not.have.property('secret');
    expect(got.body.secret_hint).to.equal(`${res.body.secret.slice(0, 10)}…`);
    const list = await s.request('GET', base(), { apiKey: instance.token });
    expect(list.body.webhooks.map((w: { id: string }) => w.id)).to.include(res.body.id);
  });

  it('has no warning once send_webhook is on, or for events it does not gate', async () => {
    const other = await s.sandboxInstance(owner.token, { settings: { actions: { send_webhook: true } } });
    const on = await s.request('POST', `/v1/instances/${other.id}/webhooks`, { token: owner.token, json: { url: receiver.url, events: ['message.any'] } });
    expect(on.status, on.text).to.equal(201);
    expect(on.body.warnings).to.deep.equal([]);
    const ungated = await s.request('POST', base(), { token: owner.token, json: { url: receiver.url, events: ['connection.update'] } });
    expect(ungated.body.warnings).to.deep.equal([]);
  });

  it('answers 400 naming the field for every bad input, and creates nothing', async () => {
    const before = (await s.request('GET', base(), { token: owner.token })).body.webhooks.length;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'ftp://example.com/x', events: ['message.any'] }, 'body.url', /http or https/],
      [{ url: 'not a url', events: ['message.any'] }, 'body.url', /not a valid URL/],
      [{ url: 'http://10.1.2.3/hook', events: ['message.any'] }, 'body.url', /private|not allowed/],
      [{ url: 'http://169.254.169.254/latest', events: ['message.any'] }, 'body.url', /never allowed/],
      [{ url: 'http://user:pw@example.com/', events: ['message.any'] }, 'body.url', /credentials/],
      [{ url: receiver.url, events: ['message.nope'] }, 'body.events.0', /not a known event/],
      [{ url: receiver.url, events: [] }, 'body.events', /at least one event/],
      [{ url: receiver.url }, 'body.events', /required/],
      [{ url: receiver.url, events: ['ready'], secret: 'tooshort' }, 'body.secret', /too short/],
      [{ url: receiver.url, events: ['ready'], secret: `whsec_${Buffer.alloc(10).toString('base64')}` }, 'body.secret', /too short/],
      [{ url: receiver.url, events: ['ready'], headers: { 'Bad Name': 'x' } }, 'body.headers.Bad Name', /header name/],
      [{ url: receiver.url, events: ['ready'], headers: { 'X-Ok': 'line\r\nInjected: 1' } }, 'body.headers.X-Ok', /line breaks/],
      [{ url: receiver.url, events: ['ready'], headers: { 'webhook-signature': 'v1,forged' } }, 'body.headers.webhook-signature', /set by tucan/],
      [{ url: receiver.url, events: ['ready'], headers: { 'X-Num': 5 } }, 'body.headers.X-Num', /.+/],
      [{ url: receiver.url, events: ['ready'], headers: ['X-A: b'] }, 'body.headers', /.+/],
      [{ url: receiver.url, events: ['ready'], timeout_ms: 10 }, 'body.timeout_ms', /at least/],
      [{ url: receiver.url, events: ['ready'], extra: 1 }, 'body.extra', /not a known field/],
    ];
    for (const [json, field, message] of cases) {
      const res = await s.request('POST', base(), { token: owner.token, json });
      expect(res.status, `${JSON.stringify(json)} → ${res.text}`).to.equal(400);
      const problem = res.body.errors.find((e: { field: string }) => e.field === field);
      expect(problem, `${JSON.stringify(json)} → ${res.text}`).to.exist;
      expect(problem.message).to.match(message);
    }
    expect((await s.request('GET', base(), { token: owner.token })).body.webhooks.length).to.equal(before);
  });

  it('refuses loopback URLs unless TUCAN_ALLOW_LOOPBACK_URLS is set', async () => {
    const o = await strict.owner();
    const i = await strict.sandboxInstance(o.token);
    const res = await strict.request('POST', `/v1/instances/${i.id}/webhooks`, { token: o.token, json: { url: receiver.url, events: ['ready'] } });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0]).to.deep.include({ field: 'body.url' });
    expect(res.body.errors[0].message).to.match(/loopback/);
  });

  it('patches, toggles, rotates the secret and deletes', async () => {
    const created = await s.request('POST', base(), { token: owner.token, json: { url: receiver.url, events: ['message.status'], secret: 'my-own-secret-with-24-chars-or-more' } });
    expect(created.body.secret).to.equal(`whsec_${Buffer.from('my-own-secret-with-24-chars-or-more').toString('base64')}`);
    const url = `${base()}/${created.body.id}`;
    const patched = await s.request('PATCH', url, { token: owner.token, json: { events: ['message.any'], timeout_ms: 5000, headers: { 'X-Tenant': 't1' } } });
    expect(patched.status, patched.text).to.equal(200);
    expect(patched.body).to.deep.include({ events: ['message.any'], timeout_ms: 5000, headers: { 'X-Tenant': 't1' } });
    expect(patched.body.warnings[0]).to.match(/send_webhook/);
    expect((await s.request('PATCH', url, { token: owner.token, json: { url: 'http://192.168.0.10/' } })).status).to.equal(400);

    const off = await s.request('POST', `${url}/toggle`, { token: owner.token });
    expect(off.body).to.deep.include({ enabled: false, disabled_reason: 'user' });
    expect(off.body.history.at(-1)).to.deep.include({ type: 'webhook.disabled', reason: 'user' });
    const on = await s.request('POST', `${url}/toggle`, { token: owner.token, json: { enabled: true } });
    expect(on.body).to.deep.include({ enabled: true, disabled_reason: null });

    const rotated = await s.request('POST', `${url}/rotate-secret`, { token: owner.token });
    expect(rotated.body.secret).to.match(/^whsec_/).and.not.equal(created.body.secret);
    expect(rotated.body.previous_secret_valid_until).to.be.a('string');

    expect((await s.request('DELETE', url, { token: owner.token })).status).to.equal(204);
    expect((await s.request('GET', url, { token: owner.token })).status).to.equal(404);
  });

  it("hides other owners' webhooks (404) and checks ids", async () => {
    const created = await s.request('POST', base(), { token: owner.token, json: { url: receiver.url, events: ['ready'] } });
    const stranger = await s.owner('stranger');
    expect((await s.request('GET', base(), { token: stranger.token })).status).to.equal(404);
    expect((await s.request('GET', `${base()}/${created.body.id}`, { token: stranger.token })).status).to.equal(404);
    const otherInstance = await s.sandboxInstance(stranger.token);
    expect((await s.request('GET', `/v1/instances/${otherInstance.id}/webhooks/${created.body.id}`, { token: stranger.token })).status).to.equal(404);
    const bad = await s.request('GET', `${base()}/nope`, { token: owner.token });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('params.wid');
  });

  it('sends a signed test ping and records it', async () => {
    const created = await s.request('POST', base(), { token: owner.token, json: { url: receiver.url, events: ['job.progress'] } });
    const before = receiver.requests.length;
    const ping = await s.request('POST', `${base()}/${created.body.id}/test`, { token: owner.token });
    expect(ping.status, ping.text).to.equal(200);
    expect(ping.body).to.deep.include({ status: 'delivered', test: true, event_type: 'webhook.test', attempt_count: 1 });
    expect(ping.body.attempts[0].status_code).to.equal(204);
    const req = receiver.requests[before];
    expect(JSON.parse(req.body)).to.deep.include({ type: 'webhook.test', id: ping.body.event_id, instance_id: instance.id });
    expect(req.headers['webhook-id']).to.equal(ping.body.event_id);
    expect(req.body).to.equal(ping.body.body);
    const log = await s.request('GET', `${base()}/${created.body.id}/deliveries`, { token: owner.token });
    expect(log.body.deliveries[0].id).to.equal(ping.body.id);
  });

  it('delivers connection updates; `ready` alone means only while connected', async () => {
    const i = await s.sandboxInstance(owner.token);
    const readyOnly = await WebhookReceiver.start();
    const all = await WebhookReceiver.start();
    try {
      await s.request('POST', `/v1/instances/${i.id}/webhooks`, { token: owner.token, json: { url: readyOnly.url, events: ['ready'] } });
      await s.request('POST', `/v1/instances/${i.id}/webhooks`, { token: owner.token, json: { url: all.url, events: ['connection.update'] } });
      expect((await s.request('POST', `/v1/instances/${i.id}/restart`, { token: owner.token })).status).to.equal(202);
      await all.waitFor(2);
      await readyOnly.waitFor(1);
      expect(all.requests.map((r) => JSON.parse(r.body).data.status)).to.deep.equal(['disconnected', 'connected']);
      const ready = JSON.parse(readyOnly.requests[0].body);
      expect(ready).to.deep.include({ type: 'connection.update', instance_id: i.id });
      expect(ready.data).to.deep.include({ status: 'connected', ready: true });
      await eventually(async () => (await s.request('GET', `/v1/instances/${i.id}/webhooks`, { token: owner.token })).body.webhooks.length === 2);
      expect(readyOnly.requests).to.have.length(1);
    } finally {
      await readyOnly.close();
      await all.close();
    }
  });

  it('publishes the event catalog in the OpenAPI document', async () => {
    const doc = (await s.request('GET', '/openapi.json', { token: owner.token })).body;
    for (const type of EVENT_TYPES) {
      expect(doc.webhooks, type).to.have.property(type);
      const schema = doc.webhooks[type].post.requestBody.content['application/json'].schema;
      expect(schema.required).to.include.members(['id', 'type', 'instance_id', 'timestamp', 'data']);
    }
    expect(doc.paths).to.have.property('/v1/instances/{id}/webhooks/{wid}/deliveries/{did}/redeliver');
  });
});

describe('webhook URLs at registration: private addresses refused, hosts that do not resolve yet accepted with a warning', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  const hooks = (suffix = '') => `/v1/instances/${id}/webhooks${suffix}`;
  // no real DNS: these names resolve as given, every other name (.invalid ones included) does not resolve
  const dns = testResolver({ 'hooks.intranet.test': ['10.9.8.7'], 'dual.test': ['2606:4700:4700::1111', '::ffff:192.168.1.1'], 'hooks.partner.test': ['8.8.4.4'] });

  before(async () => {
    t = await startTestServer({ app: { resolve: dns.resolve } });
    token = (await t.owner()).token;
    id = (await t.sandboxInstance(token)).id;
  });
  after(() => t.close({ cleanup: true }));

  it('refuses literal private addresses, in IPv4 and in the IPv6 forms that carry one (400 naming body.url)', async () => {
    const cases: [string, RegExp][] = [
      ['http://10.0.0.1/hook', /10\.0\.0\.1 is a private address/],
      ['http://100.100.100.200/hook', /carrier-grade NAT/],
      ['http://[::a9fe:a9fe]/latest', /carrying 169\.254\.169\.254 \(IPv4-compatible/],
      ['http://[::7f00:1]:8080/hook', /carrying 127\.0\.0\.1/],
      ['http://[64:ff9b::a00:1]/hook', /carrying 10\.0\.0\.1 \(NAT64/],
      ['http://[2002:c0a8:101::1]/hook', /carrying 192\.168\.1\.1 \(6to4/],
    ];
    for (const [url, message] of cases) {
      const res = await t.request('POST', hooks(), { token, json: { url, events: ['message.status'] } });
      expect(res.status, `${url} → ${res.text}`).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ field: 'body.url', message: res.body.errors[0].message }]);
      expect(res.body.errors[0].message, url).to.match(message);
    }
  });

  it('refuses a host that resolves to a private address, even among public ones', async () => {
    for (const [url, message] of [
      ['https://hooks.intranet.test/tucan', /hooks\.intranet\.test resolves to 10\.9\.8\.7, a private address/],
      ['https://dual.test/tucan', /dual\.test resolves to ::ffff:192\.168\.1\.1, an IPv6 address carrying 192\.168\.1\.1/],
    ] as const) {
      const res = await t.request('POST', hooks(), { token, json: { url, events: ['message.status'] } });
      expect(res.status, `${url} → ${res.text}`).to.equal(400);
      expect(res.body.errors[0].field).to.equal('body.url');
      expect(res.body.errors[0].message).to.match(message);
    }
    expect((await t.request('GET', hooks(), { token })).body.webhooks).to.have.length(0);
  });

  it('accepts a host that does not resolve, with a warning, and a public one without', async () => {
    const offline = await t.request('POST', hooks(), { token, json: { url: 'https://hooks.example.invalid/tucan', events: ['message.status'] } });
    expect(offline.status, offline.text).to.equal(201);
    expect(offline.body.url).to.equal('https://hooks.example.invalid/tucan');
    expect(offline.body.warnings).to.have.length(1);
    expect(offline.body.warnings[0]).to.match(/^url: host hooks\.example\.invalid does not resolve \(ENOTFOUND\); the webhook is saved anyway/);

    const published = await t.request('POST', hooks(), { token, json: { url: 'https://hooks.partner.test/tucan', events: ['message.status'] } });
    expect(published.status, published.text).to.equal(201);
    expect(published.body.warnings).to.deep.equal([]);

    // PATCH: the same three cases
    const one = hooks(`/${published.body.id}`);
    const moved = await t.request('PATCH', one, { token, json: { url: 'https://not-yet.example.invalid/hook' } });
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.body.warnings[0]).to.match(/not-yet\.example\.invalid does not resolve/);
    const inside = await t.request('PATCH', one, { token, json: { url: 'https://hooks.intranet.test/x' } });
    expect(inside.status).to.equal(400);
    expect(inside.body.errors[0].field).to.equal('body.url');
    expect((await t.request('PATCH', one, { token, json: { url: 'https://hooks.partner.test/v2' } })).body.warnings).to.deep.equal([]);
  });

  it("takes seed 001's own registration example (a host that may not resolve here)", async () => {
    const inst = await t.sandboxInstance(token);
    // the seed's example body, with a secret of the length tucan requires (the example's "string" is a placeholder)
    const res = await t.request('POST', '/api/webhooks/register', { apiKey: inst.token, json: { url: 'https://tuapp.com/webhook', events: ['message', 'ready'], secret: 'un-secreto-de-al-menos-24-caracteres' } });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.success).to.equal(true);
    expect(res.body.data).to.include({ url: 'https://tuapp.com/webhook', active: true });
  });
});
