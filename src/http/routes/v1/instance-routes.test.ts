import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('HTTP /v1/instances', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('creates an instance with default settings and shows its token exactly once', async () => {
    const { token } = await t.owner();
    const created = await t.request('POST', '/v1/instances', { token, json: { name: 'Shop', engine: 'sandbox', settings: { bot_name: 'Shop bot', actions: { send_webhook: true } } } });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ name: 'Shop', engine: 'sandbox', status: 'disconnected', is_ready: false });
    expect(created.body.access_token).to.match(/^tuc_[A-Za-z0-9_-]{40,}$/);
    expect(created.body.settings.bot_name).to.equal('Shop bot');
    expect(created.body.settings.actions).to.deep.equal({
      send_default_msg: true,
      reply_group_msgs: true,
      reply_unread_msgs: true,
      reply_msgs: true,
      multi_device: false,
      send_webhook: true,
      read_messages: false,
    });
    expect(created.body.settings.active_hours).to.deep.equal({ from: 'always', to: 'always' });

    const got = await t.request('GET', `/v1/instances/${created.body.id}`, { token });
    expect(got.status).to.equal(200);
    expect(got.body).to.not.have.property('access_token');
    expect(got.body.access_token_hint).to.equal(`${created.body.access_token.slice(0, 16)}…`);

    const list = await t.request('GET', '/v1/instances', { token });
    expect(list.body.instances.map((i: { id: string }) => i.id)).to.deep.equal([created.body.id]);
    expect(list.body.instances[0]).to.not.have.property('access_token');
  });

  it('defaults the engine to baileys and names unnamed instances', async () => {
    const { token } = await t.owner();
    const a = await t.request('POST', '/v1/instances', { token, json: {} });
    const b = await t.request('POST', '/v1/instances', { token, json: {} });
    expect(a.body.engine).to.equal('baileys');
    expect([a.body.name, b.body.name]).to.deep.equal(['Bot 1', 'Bot 2']);
  });

  it("lets an instance token use its own instance only, and not the owner's routes", async () => {
    const { token } = await t.owner();
    const one = await t.sandboxInstance(token);
    const two = await t.sandboxInstance(token);
    expect((await t.request('GET', `/v1/instances/${one.id}`, { apiKey: one.token })).status).to.equal(200);
    expect((await t.request('GET', `/v1/instances/${one.id}/settings`, { token: one.token })).status).to.equal(200);
    expect((await t.request('GET', `/v1/instances/${two.id}`, { apiKey: one.token })).status).to.equal(404);
    expect((await t.request('GET', '/v1/instances', { apiKey: one.token })).status).to.equal(403);
    expect((await t.request('DELETE', `/v1/instances/${one.id}`, { apiKey: one.token })).status).to.equal(403);
    expect((await t.request('GET', `/v1/instances/${one.id}`, { apiKey: 'tuc_notarealtokenatallnotarealtokenatall' })).status).to.equal(401);
  });

  it("isolates owners: another owner's instance is 404 on every route", async () => {
    const alice = await t.owner('alice');
    const bob = await t.owner('bob');
    const inst = await t.sandboxInstance(alice.token);
    const routes: [string, string, unknown?][] = [
      ['GET', `/v1/instances/${inst.id}`],
      ['DELETE', `/v1/instances/${inst.id}`],
      ['POST', `/v1/instances/${inst.id}/token`],
      ['GET', `/v1/instances/${inst.id}/settings`],
      ['PATCH', `/v1/instances/${inst.id}/settings`, { bot_name: 'pwned' }],
      ['PUT', `/v1/instances/${inst.id}/settings/general`, { bot_name: 'x', bot_timezone: 'UTC', bot_lang: 'en', default_msg: 'x' }],
      ['PUT', `/v1/instances/${inst.id}/settings/active-hours`, { from: '01:00', to: '02:00' }],
      ['GET', `/v1/instances/${inst.id}/status`],
      ['POST', `/v1/instances/${inst.id}/connect`],
      ['POST', `/v1/instances/${inst.id}/logout`],
      ['POST', `/v1/instances/${inst.id}/restart`],
    ];
    for (const [method, path, json] of routes) {
      const res = await t.request(method, path, { token: bob.token, json });
      expect(res.status, `${method} ${path}`).to.equal(404);
    }
    expect((await t.request('GET', '/v1/instances', { token: bob.token })).body.instances).to.deep.equal([]);
    const settings = await t.request('GET', `/v1/instances/${inst.id}/settings`, { token: alice.token });
    expect(settings.body.bot_name).to.equal('WhatsappClient');
    expect((await t.request('GET', `/v1/instances/${inst.id}/status`, { token: alice.token })).body.status).to.equal('connected');
  });

  it('rotates the token: the old one stops working at once', async () => {
    const { token } = await t.owner();
    const inst = await t.sandboxInstance(token);
    const rotated = await t.request('POST', `/v1/instances/${inst.id}/token`, { token });
    expect(rotated.status).to.equal(200);
    expect(rotated.body.access_token).to.match(/^tuc_/).and.not.equal(inst.token);
    expect((await t.request('GET', `/v1/instances/${inst.id}`, { apiKey: inst.token })).status).to.equal(401);
    expect((await t.request('GET', `/v1/instances/${inst.id}`, { apiKey: rotated.body.access_token })).status).to.equal(200);
  });

  it('deletes an instance and its token with it', async () => {
    const { token } = await t.owner();
    const inst = await t.sandboxInstance(token);
    expect((await t.request('DELETE', `/v1/instances/${inst.id}`, { token })).status).to.equal(204);
    expect((await t.request('GET', `/v1/instances/${inst.id}`, { token })).status).to.equal(404);
    expect((await t.request('GET', `/v1/instances/${inst.id}`, { apiKey: inst.token })).status).to.equal(401);
    expect((await t.request('DELETE', `/v1/instances/${inst.id}`, { token })).status).to.equal(404);
  });

  it('rejects bad input: invalid ids, unknown fields, wrong types, bad settings', async () => {
    const { token } = await t.owner();
    const badId = await t.request('GET', '/v1/instances/not-an-id', { token });
    expect(badId.status).to.equal(400);
    expect(badId.body.errors[0].field).to.equal('params.id');
    const cases: [unknown, string][] = [
      [{ engine: 'whatsapp-web' }, 'body.engine'],
      [{ name: 7 }, 'body.name'],
      [{ colour: 'red' }, 'body.colour'],
      [{ settings: { bot_timezone: 'Mars/Olympus' } }, 'body.settings.bot_timezone'],
      [{ settings: { actions: { reply_msgs: 'yes' } } }, 'body.settings.actions.reply_msgs'],
      [{ settings: { active_days: { funday: true } } }, 'body.settings.active_days.funday'],
    ];
    for (const [json, field] of cases) {
      const res = await t.request('POST', '/v1/instances', { token, json });
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(json)).to.include(field);
    }
    expect((await t.request('GET', '/v1/instances', { token })).body.instances).to.have.lengthOf(0);
  });

  it('needs credentials on every instance route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/instances'],
      ['POST', '/v1/instances'],
      ['GET', '/v1/instances/6650f1c2a1b2c3d4e5f60718'],
      ['GET', '/v1/instances/6650f1c2a1b2c3d4e5f60718/settings'],
      ['GET', '/v1/instances/6650f1c2a1b2c3d4e5f60718/status'],
    ]) {
      const res = await t.request(method, path);
      expect(res.status, `${method} ${path}`).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.equal('Bearer');
    }
  });
});
