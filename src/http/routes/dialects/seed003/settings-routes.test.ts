import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../../../../test-support/webhook-receiver.js';
import { curlData, fieldsOf } from '../../../../test-support/http/seed003-requests.js';

const UPDATED = 'Whatsapp settings updated successfully!';
const result = (modifiedCount: number) => ({ acknowledged: true, modifiedCount, upsertedId: null, upsertedCount: 0, matchedCount: 1 });

describe('seed 003 dialect: settings PUTs and setWebhook', () => {
  let t: TestServer;
  let token: string;
  let inst: { id: string; token: string };
  let receiver: WebhookReceiver;
  const settings = async (id = inst.id, as = token) => (await t.request('GET', `/v1/instances/${id}/settings`, { token: as })).body;

  before(async () => {
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
    token = (await t.owner()).token;
    inst = await t.sandboxInstance(token);
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    await receiver.close();
    await t.close({ cleanup: true });
  });

  it("PUT /whatsapp/updateGeneral: the seed's example (curl --data, Bearer, no session_id) changes the only instance", async () => {
    await t.request('PATCH', `/v1/instances/${inst.id}/settings`, { token, json: { actions: { send_default_msg: false } } });
    const example = { bot_name: 'Bot Name', bot_timezone: '+1', bot_lang: 'en', default_msg: true };
    const res = await t.request('PUT', '/whatsapp/updateGeneral', { token, ...curlData(example) });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.deep.equal({ status: true, message: UPDATED, data: result(1) });
    const after = await settings();
    expect(after).to.deep.include({ bot_name: 'Bot Name', bot_timezone: '+1', bot_lang: 'en' });
    // a boolean default_msg is the switch, not the message
    expect(after.actions.send_default_msg).to.equal(true);
    expect(after.default_msg).to.equal('{Hi|Hello} [name] your message has no keyword here.');

    const again = await t.request('PUT', '/whatsapp/updateGeneral', { token, ...curlData(example) });
    expect(again.body.data).to.deep.equal(result(0));

    const text = await t.request('PUT', '/whatsapp/updateGeneral', { token, json: { default_msg: 'Hola [name], no entendí.' } });
    expect(text.body.data.modifiedCount).to.equal(1);
    expect((await settings()).default_msg).to.equal('Hola [name], no entendí.');
  });

  it("PUT /whatsapp/updateActions, updateActiveDays, updateActiveHours: the seed's examples", async () => {
    await t.request('PATCH', `/v1/instances/${inst.id}/settings`, { token, json: { active_days: { saturday: false, sunday: false } } });
    const flags = { send_default_msg: true, reply_group_msgs: true, reply_unread_msgs: true, reply_msgs: true, multi_device: true, send_webhook: true };
    const actions = await t.request('PUT', '/whatsapp/updateActions', { token, ...curlData(flags) });
    expect(actions.status, actions.text).to.equal(200);
    expect(actions.body).to.deep.equal({ status: true, message: UPDATED, data: result(1) });
    // read through /v1, which also shows its own addition, read_messages (off)
    expect((await settings()).actions).to.deep.equal({ ...flags, read_messages: false });

    const week = { monday: true, tuesday: true, wednesday: true, thursday: true, friday: true, saturday: true, sunday: true };
    const days = await t.request('PUT', '/whatsapp/updateActiveDays', { token, ...curlData(week) });
    expect(days.body).to.deep.equal({ status: true, message: UPDATED, data: result(1) });
    expect((await settings()).active_days).to.deep.equal(week);

    const hours = await t.request('PUT', '/whatsapp/updateActiveHours', { token, ...curlData({ from: '00:00', to: '5:00' }) });
    expect(hours.body).to.deep.equal({ status: true, message: UPDATED, data: result(1) });
    expect((await settings()).active_hours).to.deep.equal({ from: '00:00', to: '05:00' });

    // a partial section changes only what was sent
    await t.request('PUT', '/whatsapp/updateActions', { token, json: { multi_device: false } });
    expect((await settings()).actions).to.deep.equal({ ...flags, multi_device: false, read_messages: false });
  });

  it('answers 400 in the seed envelope naming the field, and changes nothing', async () => {
    const before = await settings();
    const cases: [string, unknown, string][] = [
      ['/whatsapp/updateGeneral', { bot_timezone: 'Mars/Olympus' }, 'body.bot_timezone'],
      ['/whatsapp/updateGeneral', { bot_lang: 'english please' }, 'body.bot_lang'],
      ['/whatsapp/updateGeneral', { default_msg: 5 }, 'body.default_msg'],
      ['/whatsapp/updateGeneral', { colour: 'blue' }, 'body.colour'],
      ['/whatsapp/updateGeneral', {}, 'body'],
      ['/whatsapp/updateActions', { reply_msgs: 'yes' }, 'body.reply_msgs'],
      ['/whatsapp/updateActiveDays', { funday: true }, 'body.funday'],
      ['/whatsapp/updateActiveHours', { from: '25:00', to: '10:00' }, 'body.from'],
      ['/whatsapp/updateActiveHours', { from: '10:00' }, 'body.to'],
      ['/whatsapp/updateActiveHours', { from: '10:00', to: '10:00' }, 'body.to'],
      ['/whatsapp/updateGeneral', { session_id: 'nope', bot_name: 'x' }, 'body.session_id'],
    ];
    for (const [path, json, field] of cases) {
      const res = await t.request('PUT', path, { token, ...curlData(json) });
      expect(res.status, `${path} ${JSON.stringify(json)}: ${res.text}`).to.equal(400);
      expect(res.body.status).to.equal(false);
      expect(res.body.message).to.be.a('string').and.not.empty;
      expect(res.body.data.request_id).to.be.a('string');
      expect(fieldsOf(res.body), JSON.stringify(json)).to.include(field);
    }
    const broken = await t.request('PUT', '/whatsapp/updateGeneral', { token, body: '{"bot_name": ', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(broken.status).to.equal(400);
    expect(fieldsOf(broken.body)).to.deep.equal(['body']);
    expect(await settings()).to.deep.equal(before);
  });

  it('with several instances: 400 asking for session_id; session_id in the body or query picks one; the access token alone is a credential', async () => {
    const owner = await t.owner('several');
    const a = await t.sandboxInstance(owner.token);
    const b = await t.sandboxInstance(owner.token);
    const ambiguous = await t.request('PUT', '/whatsapp/updateGeneral', { token: owner.token, json: { bot_name: 'A' } });
    expect(ambiguous.status).to.equal(400);
    expect(fieldsOf(ambiguous.body)).to.deep.equal(['body.session_id']);
    expect(ambiguous.body.message).to.match(/2 instances/);

    const inBody = await t.request('PUT', '/whatsapp/updateGeneral', { token: owner.token, ...curlData({ session_id: b.id, access_token: '', bot_name: 'B' }) });
    expect(inBody.status, inBody.text).to.equal(200);
    const inQuery = await t.request('PUT', `/whatsapp/updateGeneral?session_id=${a.id}`, { token: owner.token, json: { bot_name: 'A' } });
    expect(inQuery.status, inQuery.text).to.equal(200);
    // no Authorization at all: the instance's access token in the body
    const tokenOnly = await t.request('PUT', '/whatsapp/updateActiveHours', { ...curlData({ session_id: a.id, access_token: a.token, from: '09:00', to: '17:00' }) });
    expect(tokenOnly.status, tokenOnly.text).to.equal(200);
    const byQuery = await t.request('PUT', `/whatsapp/updateActiveDays?access_token=${encodeURIComponent(b.token)}`, { json: { sunday: false } });
    expect(byQuery.status, byQuery.text).to.equal(200);
    expect((await settings(a.id, owner.token)).bot_name).to.equal('A');
    expect((await settings(a.id, owner.token)).active_hours).to.deep.equal({ from: '09:00', to: '17:00' });
    expect((await settings(b.id, owner.token)).bot_name).to.equal('B');
    expect((await settings(b.id, owner.token)).active_days.sunday).to.equal(false);

    // the token must belong to the session; another owner's session is not found
    const mismatch = await t.request('PUT', '/whatsapp/updateGeneral', { token: owner.token, json: { session_id: a.id, access_token: b.token, bot_name: 'X' } });
    expect(mismatch.status).to.equal(401);
    expect(mismatch.body).to.deep.include({ status: false });
    const foreign = await t.request('PUT', '/whatsapp/updateGeneral', { token, json: { session_id: a.id, bot_name: 'X' } });
    expect(foreign.status).to.equal(404);
    const crossed = await t.request('PUT', '/whatsapp/updateGeneral', { ...curlData({ session_id: b.id, access_token: a.token, bot_name: 'X' }) });
    expect(crossed.status).to.equal(404);
    const none = await t.request('PUT', '/whatsapp/updateGeneral', { json: { bot_name: 'X' } });
    expect(none.status).to.equal(401);
    expect(none.body.status).to.equal(false);
    const fresh = await t.owner('empty');
    expect((await t.request('PUT', '/whatsapp/updateGeneral', { token: fresh.token, json: { bot_name: 'X' } })).status).to.equal(404);
    expect((await settings(a.id, owner.token)).bot_name).to.equal('A');
  });

  describe('PUT /whatsapp/setWebhook', () => {
    it("registers the seed's example (204) and delivers inbound messages with the requestConfig headers", async () => {
      const owner = await t.owner('hooks');
      const bot = await t.sandboxInstance(owner.token);
      const example = { session_id: bot.id, access_token: bot.token, webhook_url: receiver.url, events: ['onMessage', 'onAnyMessage'], requestConfig: { headers: { Authorization: 'Bearer receiver-secret' } } };
      const res = await t.request('PUT', '/whatsapp/setWebhook', { token: owner.token, ...curlData(example) });
      expect(res.status, res.text).to.equal(204);
      expect(res.headers.get('x-tucan-warning')).to.match(/send_webhook is off/);

      const hooks = (await t.request('GET', `/v1/instances/${bot.id}/webhooks`, { token: owner.token })).body.webhooks;
      expect(hooks).to.have.length(1);
      expect(hooks[0]).to.deep.include({ url: receiver.url, events: ['onMessage', 'onAnyMessage'], enabled: true });
      expect(hooks[0].headers).to.deep.equal({ Authorization: 'Bearer receiver-secret' });

      // the seed's own switch turns message events on
      await t.request('PUT', '/whatsapp/updateActions', { token: owner.token, json: { send_webhook: true, reply_msgs: false } });
      const from = receiver.requests.length;
      await t.request('POST', `/v1/instances/${bot.id}/sandbox/messages`, { token: owner.token, json: { from: '2348179803743', text: 'hello bot' } });
      const received = await eventually(async () => receiver.requests.slice(from).find((r) => JSON.parse(r.body).type === 'message.received'));
      expect(received.headers.authorization).to.equal('Bearer receiver-secret');
      expect(received.headers['webhook-signature']).to.match(/^v1,/);
      expect(JSON.parse(received.body)).to.deep.include({ instance_id: bot.id });
      expect(JSON.parse(received.body).data).to.deep.include({ text: 'hello bot', from_phone: '2348179803743' });

      const info = await t.request('GET', `/whatsapp/instance?session_id=${bot.id}&access_token=${encodeURIComponent(bot.token)}`);
      expect(info.body.data.instance_data.webhookUrl).to.equal(receiver.url);
    });

    it('the answer that creates it carries the signing secret, which verifies deliveries; rotation goes through the webhook id', async () => {
      const owner = await t.owner('secret');
      const bot = await t.sandboxInstance(owner.token);
      await t.request('PUT', '/whatsapp/updateActions', { ...curlData({ session_id: bot.id, access_token: bot.token, send_webhook: true }) });
      const res = await t.request('PUT', '/whatsapp/setWebhook', { ...curlData({ session_id: bot.id, access_token: bot.token, webhook_url: receiver.url }) });
      expect(res.status, res.text).to.equal(204);
      const secret = res.headers.get('x-tucan-webhook-secret');
      const id = res.headers.get('x-tucan-webhook-id');
      expect(secret).to.match(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect((await t.request('GET', `/v1/instances/${bot.id}/webhooks`, { token: owner.token })).body.webhooks.map((h: { id: string }) => h.id)).to.deep.equal([id]);

      const from = receiver.requests.length;
      await t.request('POST', `/v1/instances/${bot.id}/sandbox/messages`, { token: owner.token, json: { from: '2348179803743', text: 'verify me' } });
      const delivery = await eventually(async () => receiver.requests.slice(from).find((r) => JSON.parse(r.body).type === 'message.received'));
      // Standard Webhooks, computed here independently of tucan's signer
      const signed = `${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`;
      const expected = createHmac('sha256', Buffer.from(secret!.slice('whsec_'.length), 'base64')).update(signed).digest('base64');
      expect(String(delivery.headers['webhook-signature']).split(' ')).to.include(`v1,${expected}`);

      // changed later: the secret is not shown again
      const again = await t.request('PUT', '/whatsapp/setWebhook', { ...curlData({ session_id: bot.id, access_token: bot.token, webhook_url: receiver.url, events: ['onAnyMessage'] }) });
      expect(again.status).to.equal(204);
      expect(again.headers.get('x-tucan-webhook-secret')).to.equal(null);
      expect(again.headers.get('x-tucan-webhook-id')).to.equal(id);
      // the documented rotation, with the instance's own access_token
      const rotated = await t.request('POST', `/v1/instances/${bot.id}/webhooks/${id}/rotate-secret`, { apiKey: bot.token });
      expect(rotated.status, rotated.text).to.equal(200);
      expect(rotated.body.secret).to.match(/^whsec_/).and.not.equal(secret);
    });

    it('setting it again changes the same webhook (an instance has one), by token alone too', async () => {
      const owner = await t.owner('rehook');
      const bot = await t.sandboxInstance(owner.token);
      const other = await WebhookReceiver.start();
      try {
        const first = await t.request('PUT', '/whatsapp/setWebhook', { ...curlData({ session_id: bot.id, access_token: bot.token, webhook_url: receiver.url, events: ['onMessage'] }) });
        expect(first.status, first.text).to.equal(204);
        const second = await t.request('PUT', '/whatsapp/setWebhook', { ...curlData({ session_id: '', access_token: bot.token, webhook_url: other.url, requestConfig: {} }) });
        expect(second.status, second.text).to.equal(204);
        const hooks = (await t.request('GET', `/v1/instances/${bot.id}/webhooks`, { token: owner.token })).body.webhooks;
        expect(hooks).to.have.length(1);
        expect(hooks[0]).to.deep.include({ url: other.url, events: ['onMessage'] });
        expect(hooks[0].headers).to.deep.equal({});
      } finally {
        await other.close();
      }
    });

    it('refuses bad URLs and events naming the seed field, and registers nothing', async () => {
      const owner = await t.owner('badhook');
      const bot = await t.sandboxInstance(owner.token);
      const cases: [Record<string, unknown>, string][] = [
        [{ webhook_url: 'valid_url' }, 'body.webhook_url'],
        [{ webhook_url: 'ftp://example.com/x' }, 'body.webhook_url'],
        [{ webhook_url: 'http://10.0.0.1/hook' }, 'body.webhook_url'],
        [{ webhook_url: receiver.url, events: ['onSomething'] }, 'body.events.0'],
        [{ webhook_url: receiver.url, requestConfig: { headers: { 'Bad Name': 'x' } } }, 'body.requestConfig.headers.Bad Name'],
        [{ webhook_url: receiver.url, requestConfig: { proxy: true } }, 'body.requestConfig.proxy'],
        [{}, 'body.webhook_url'],
      ];
      for (const [json, field] of cases) {
        const res = await t.request('PUT', '/whatsapp/setWebhook', { token: owner.token, ...curlData(json) });
        expect(res.status, `${JSON.stringify(json)}: ${res.text}`).to.equal(400);
        expect(fieldsOf(res.body), JSON.stringify(json)).to.include(field);
      }
      expect((await t.request('GET', `/v1/instances/${bot.id}/webhooks`, { token: owner.token })).body.webhooks).to.deep.equal([]);
    });
  });
});
