import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../../../../test-support/webhook-receiver.js';
import { curlData, fieldsOf, getWithBody } from '../../../../test-support/http/seed003-requests.js';

describe('seed 003 dialect: instances (create, init, instance, list, logout, delete)', () => {
  let t: TestServer;
  let owner: { token: string; id: string };
  let receiver: WebhookReceiver;

  before(async () => {
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
    owner = await t.owner();
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    await receiver.close();
    await t.close({ cleanup: true });
  });

  async function create(token: string, body: Record<string, unknown> = {}) {
    const res = await t.request('POST', '/whatsapp/createNewWhatsapp', { token, ...curlData(body) });
    expect(res.status, res.text).to.equal(200);
    return res.body.data as { _id: string; settings: { access_token: string } };
  }

  it("POST /whatsapp/createNewWhatsapp: the seed's example ({}) creates a Baileys instance and shows its token once", async () => {
    const res = await t.request('POST', '/whatsapp/createNewWhatsapp', { token: owner.token, ...curlData({}) });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ status: true, message: 'Whatsapp created successfully!' });
    const data = res.body.data;
    expect(data).to.include({ user_id: owner.id, session_id: data._id, engine: 'baileys', __v: 0 });
    expect(data._id).to.match(/^[0-9a-f]{24}$/);
    expect(new Date(data.createdAt).toISOString()).to.equal(data.createdAt);
    expect(data.settings).to.deep.include({
      bot_timezone: 'Africa/Harare',
      bot_lang: 'en',
      default_msg: '{Hi|Hello} [name] your message has no keyword here.',
      status: 'DISCONNECTED',
      bot_number: null,
      active_hours: { from: 'always', to: 'always' },
    });
    expect(data.settings.actions).to.deep.equal({ send_default_msg: true, reply_group_msgs: true, reply_unread_msgs: true, reply_msgs: true, multi_device: false, send_webhook: false });
    expect(data.settings.access_token).to.match(/^tuc_/);
    // the token works as the instance's credential
    expect((await t.request('GET', `/v1/instances/${data._id}`, { apiKey: data.settings.access_token })).body.engine).to.equal('baileys');

    const sandbox = await create(owner.token, { engine: 'sandbox', name: 'Shop bot' });
    expect((await t.request('GET', `/v1/instances/${sandbox._id}`, { token: owner.token })).body).to.include({ engine: 'sandbox', name: 'Shop bot' });
  });

  it('createNewWhatsapp needs the owner login: 401 without, 403 with an instance token, 400 for unknown fields', async () => {
    const none = await t.request('POST', '/whatsapp/createNewWhatsapp', curlData({}));
    expect(none.status).to.equal(401);
    expect(none.body).to.deep.include({ status: false });
    const inst = await create(owner.token, { engine: 'sandbox' });
    expect((await t.request('POST', '/whatsapp/createNewWhatsapp', { apiKey: inst.settings.access_token, json: {} })).status).to.equal(403);
    const bad = await t.request('POST', '/whatsapp/createNewWhatsapp', { token: owner.token, json: { engine: 'telegram', colour: 'red' } });
    expect(bad.status).to.equal(400);
    expect(fieldsOf(bad.body)).to.include.members(['body.engine', 'body.colour']);
  });

  it('POST /whatsapp/init: connects, applies config (multiDevice, setWebhook) and registers a webhook that delivers', async () => {
    const inst = await create(owner.token, { engine: 'sandbox' });
    const from = receiver.requests.length;
    const example = { session_id: inst._id, access_token: inst.settings.access_token, config: { multiDevice: true, setWebhook: true, webhookUrl: receiver.url } };
    const res = await t.request('POST', '/whatsapp/init', { token: owner.token, ...curlData(example) });
    expect(res.status, res.text).to.equal(204);

    const status = await t.request('GET', `/v1/instances/${inst._id}/status`, { token: owner.token });
    expect(status.body.status).to.equal('connected');
    const settings = (await t.request('GET', `/v1/instances/${inst._id}/settings`, { token: owner.token })).body;
    expect(settings.actions).to.include({ multi_device: true, send_webhook: true });
    const hooks = (await t.request('GET', `/v1/instances/${inst._id}/webhooks`, { token: owner.token })).body.webhooks;
    expect(hooks.map((h: { url: string }) => h.url)).to.deep.equal([receiver.url]);

    // delivering: the connection it just made, then an inbound message
    const connected = await eventually(async () => receiver.requests.slice(from).find((r) => JSON.parse(r.body).type === 'connection.update'));
    expect(JSON.parse(connected.body)).to.deep.include({ instance_id: inst._id });
    await t.request('POST', `/v1/instances/${inst._id}/sandbox/messages`, { token: owner.token, json: { from: '2348179803743', text: 'hi' } });
    const message = await eventually(async () => receiver.requests.slice(from).find((r) => JSON.parse(r.body).type === 'message.received'));
    expect(JSON.parse(message.body).data).to.include({ text: 'hi', from_phone: '2348179803743' });

    // init again (token alone) does not add a second webhook
    const again = await t.request('POST', '/whatsapp/init', curlData(example));
    expect(again.status, again.text).to.equal(204);
    expect((await t.request('GET', `/v1/instances/${inst._id}/webhooks`, { token: owner.token })).body.webhooks).to.have.length(1);
  });

  it("init's webhookUrl adds its events to those setWebhook chose, keeps its headers, and shows the secret only when it creates the webhook", async () => {
    const inst = await create(owner.token, { engine: 'sandbox' });
    const session = { session_id: inst._id, access_token: inst.settings.access_token };
    const set = await t.request('PUT', '/whatsapp/setWebhook', curlData({ ...session, webhook_url: receiver.url, events: ['onAnyMessage', 'message.status'], requestConfig: { headers: { 'X-Receiver': 'r1' }, timeout: 5000 } }));
    expect(set.status, set.text).to.equal(204);
    expect(set.headers.get('x-tucan-webhook-secret')).to.match(/^whsec_/);
    const res = await t.request('POST', '/whatsapp/init', curlData({ ...session, config: { webhookUrl: `${receiver.url}/moved` } }));
    expect(res.status, res.text).to.equal(204);
    expect(res.headers.get('x-tucan-webhook-secret')).to.equal(null);
    expect(res.headers.get('x-tucan-webhook-id')).to.equal(set.headers.get('x-tucan-webhook-id'));
    const hooks = (await t.request('GET', `/v1/instances/${inst._id}/webhooks`, { token: owner.token })).body.webhooks;
    expect(hooks).to.have.length(1);
    expect(hooks[0].url).to.equal(`${receiver.url}/moved`);
    expect(hooks[0].events).to.have.members(['onAnyMessage', 'message.status', 'onMessage', 'connection.update']);
    expect(hooks[0]).to.deep.include({ headers: { 'X-Receiver': 'r1' }, timeout_ms: 5000 });

    // on an instance without one, init creates it and its answer carries the secret
    const fresh = await create(owner.token, { engine: 'sandbox' });
    const first = await t.request('POST', '/whatsapp/init', curlData({ session_id: fresh._id, access_token: fresh.settings.access_token, config: { webhookUrl: receiver.url } }));
    expect(first.status, first.text).to.equal(204);
    expect(first.headers.get('x-tucan-webhook-secret')).to.match(/^whsec_/);
  });

  it('init refuses a bad webhookUrl before changing anything', async () => {
    const inst = await create(owner.token, { engine: 'sandbox' });
    const res = await t.request('POST', '/whatsapp/init', { token: owner.token, json: { session_id: inst._id, access_token: '', config: { multiDevice: true, setWebhook: true, webhookUrl: 'valid_url' } } });
    expect(res.status).to.equal(400);
    expect(fieldsOf(res.body)).to.deep.equal(['body.config.webhookUrl']);
    expect((await t.request('GET', `/v1/instances/${inst._id}/status`, { token: owner.token })).body.status).to.equal('disconnected');
    expect((await t.request('GET', `/v1/instances/${inst._id}/settings`, { token: owner.token })).body.actions.multi_device).to.equal(false);
    const typo = await t.request('POST', '/whatsapp/init', { token: owner.token, json: { session_id: inst._id, config: { multidevice: true } } });
    expect(fieldsOf(typo.body)).to.deep.equal(['body.config.multidevice']);
  });

  it('GET /whatsapp/instance: connected status, number and webhook URL, with the session in the query or in a GET body', async () => {
    const inst = await t.sandboxInstance(owner.token);
    const res = await t.request('GET', `/whatsapp/instance/?session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}&format=base64`);
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.deep.equal({
      status: true,
      message: 'Status checked successfully',
      data: { error: false, message: 'Instance fetched successfully', instance_data: { instance_key: inst.id, phone_connected: true, webhookUrl: null, user: {}, status: 'connected' } },
    });
    const viaBody = await getWithBody(`${t.url}/whatsapp/instance?session_id=&access_token=&format=base64`, { session_id: inst.id, access_token: inst.token });
    expect(viaBody.status).to.equal(200);
    expect(viaBody.body.data.instance_data.instance_key).to.equal(inst.id);
    const wrong = await getWithBody(`${t.url}/whatsapp/instance`, { session_id: inst.id, access_token: 'tuc_not_the_right_token_at_all' }, { authorization: `Bearer ${owner.token}` });
    expect(wrong.status).to.equal(401);
  });

  it('GET /whatsapp: the login lists its instances with masked tokens; an instance token lists itself', async () => {
    const other = await t.owner('lister');
    const a = await t.sandboxInstance(other.token);
    const b = await create(other.token, { engine: 'sandbox' });
    const res = await t.request('GET', '/whatsapp', { token: other.token });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: true, message: 'Whatsapp fetched successfully!' });
    expect(res.body.data.map((i: { _id: string }) => i._id).sort()).to.deep.equal([a.id, b._id].sort());
    const listedA = res.body.data.find((i: { _id: string }) => i._id === a.id);
    expect(listedA.settings.status).to.equal('CONNECTED');
    expect(listedA.settings.access_token).to.match(/^tuc_.{12}…$/);
    expect(res.text).not.to.contain(a.token).and.not.to.contain(b.settings.access_token);

    const self = await getWithBody(`${t.url}/whatsapp`, { session_id: '', access_token: a.token });
    expect(self.status).to.equal(200);
    expect(self.body.data.map((i: { _id: string }) => i._id)).to.deep.equal([a.id]);
  });

  it('GET /whatsapp/instance/logout/:id unlinks (204); the path and session_id must agree', async () => {
    const inst = await t.sandboxInstance(owner.token);
    const mismatch = await t.request('GET', `/whatsapp/instance/logout/${inst.id}?session_id=${'0'.repeat(24)}&access_token=`, { token: owner.token });
    expect(mismatch.status).to.equal(400);
    expect(fieldsOf(mismatch.body)).to.deep.equal(['query.session_id']);
    const res = await t.request('GET', `/whatsapp/instance/logout/${inst.id}?session_id=&access_token=`, { token: owner.token });
    expect(res.status, res.text).to.equal(204);
    expect((await t.request('GET', `/v1/instances/${inst.id}/status`, { token: owner.token })).body.status).to.equal('logged_out');

    const byToken = await t.sandboxInstance(owner.token);
    const tokenOnly = await t.request('GET', `/whatsapp/instance/logout/${byToken.id}?session_id=${byToken.id}&access_token=${encodeURIComponent(byToken.token)}`);
    expect(tokenOnly.status, tokenOnly.text).to.equal(204);
    expect((await t.request('GET', `/whatsapp/instance/logout/${'f'.repeat(24)}`, { token: owner.token })).status).to.equal(404);
  });

  it('DELETE /whatsapp/:id removes the instance (204); 400 for a bad id, 404 for another owner, 403 with an instance token', async () => {
    const inst = await t.sandboxInstance(owner.token);
    const stranger = await t.owner('stranger');
    expect((await t.request('DELETE', `/whatsapp/${inst.id}`, { token: stranger.token })).status).to.equal(404);
    expect((await t.request('DELETE', `/whatsapp/${inst.id}`, { apiKey: inst.token })).status).to.equal(403);
    const bad = await t.request('DELETE', '/whatsapp/61a7bd6e', { token: owner.token });
    expect(bad.status).to.equal(400);
    expect(fieldsOf(bad.body)).to.deep.equal(['params.id']);
    const res = await t.request('DELETE', `/whatsapp/${inst.id}`, { token: owner.token });
    expect(res.status, res.text).to.equal(204);
    expect((await t.request('GET', `/v1/instances/${inst.id}`, { token: owner.token })).status).to.equal(404);
    expect((await t.request('DELETE', `/whatsapp/${inst.id}`, { token: owner.token })).status).to.equal(404);
  });
});
