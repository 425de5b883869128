import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { WebhookReceiver, type ReceivedRequest } from '../../../../test-support/webhook-receiver.js';

const SECRET = 'mi-secreto-de-webhook-2025';

/** Standard Webhooks, keyed with the free-text secret's own bytes. */
function signedWith(secret: string, req: ReceivedRequest): boolean {
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${req.body}`).digest();
  return String(req.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, sig] = entry.split(',');
      const given = Buffer.from(sig ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('seed 001 dialect: webhooks (/api/webhooks/*)', () => {
  let t: TestServer;
  let receiver: WebhookReceiver;

  before(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
  });
  after(async () => {
    await t.close({ cleanup: true });
    await receiver.close();
  });

  const events = (type: string) => receiver.requests.filter((r) => JSON.parse(r.body).type === type);

  it('registers the seed example, turns message forwarding on, and delivers messages and ready events', async () => {
    const owner = await t.owner();
    const inst = await t.sandboxInstance(owner.token);
    expect((await t.request('GET', `/v1/instances/${inst.id}/settings`, { apiKey: inst.token })).body.actions.send_webhook).to.equal(false);

    const res = await t.request('POST', '/api/webhooks/register', { apiKey: inst.token, json: { url: receiver.url, events: ['message', 'ready'], secret: SECRET } });
    expect(res.status).to.equal(201);
    expect(res.body.success).to.equal(true);
    expect(res.body.message).to.contain('actions.send_webhook');
    expect(res.body.data).to.include({ url: receiver.url, active: true, sendWebhookEnabled: true });
    expect(res.body.data.events).to.deep.equal(['message', 'ready']);
    expect(res.body.data.id).to.be.a('string');
    // the setting really changed
    expect((await t.request('GET', `/v1/instances/${inst.id}/settings`, { apiKey: inst.token })).body.actions.send_webhook).to.equal(true);

    // an inbound message reaches the endpoint, signed with the secret given
    const inbound = await t.request('POST', `/v1/instances/${inst.id}/sandbox/messages`, { apiKey: inst.token, json: { from: '573001234567', text: 'Hola, quiero hacer un pedido' } });
    expect(inbound.status).to.equal(201);
    await receiver.waitFor(1);
    const [message] = events('message.received');
    const envelope = JSON.parse(message.body);
    expect(envelope).to.include({ type: 'message.received', instance_id: inst.id });
    expect(envelope.data).to.include({ from_phone: '573001234567', text: 'Hola, quiero hacer un pedido' });
    expect(signedWith(SECRET, message)).to.equal(true);

    // `ready`: the connection came back
    const count = receiver.requests.length;
    expect((await t.request('POST', '/api/session/restart', { apiKey: inst.token })).status).to.equal(200);
    await receiver.waitFor(count + 1);
    const ready = events('connection.update');
    expect(ready).to.have.length(1);
    expect(JSON.parse(ready[0].body).data).to.include({ status: 'connected', ready: true });
  });

  it('lists, toggles and deletes webhooks', async () => {
    const inst = await t.sandboxInstance((await t.owner()).token);
    const created = await t.request('POST', '/api/webhooks/register', { apiKey: inst.token, json: { url: receiver.url, events: ['ready'] } });
    expect(created.status).to.equal(201);
    expect(created.body.message).to.equal('Webhook registrado');
    expect(created.body.data.sendWebhookEnabled).to.equal(false);
    expect(created.body.data.secret).to.match(/^whsec_/);
    const id = created.body.data.id as string;

    const list = await t.request('GET', '/api/webhooks', { apiKey: inst.token });
    expect(list.status).to.equal(200);
    expect(list.body.success).to.equal(true);
    expect(list.body.data).to.have.length(1);
    expect(list.body.data[0]).to.include({ id, url: receiver.url, active: true });
    expect(list.body.data[0]).not.to.have.property('secret');

    const off = await t.request('POST', `/api/webhooks/${id}/toggle`, { apiKey: inst.token });
    expect(off.status).to.equal(200);
    expect(off.body).to.include({ success: true, message: 'Webhook desactivado' });
    expect(off.body.data).to.include({ id, active: false, disabledReason: 'user' });
    expect((await t.request('GET', `/v1/instances/${inst.id}/webhooks/${id}`, { apiKey: inst.token })).body.enabled).to.equal(false);
    const on = await t.request('POST', `/api/webhooks/${id}/toggle`, { apiKey: inst.token });
    expect(on.body).to.include({ message: 'Webhook activado' });
    expect(on.body.data.active).to.equal(true);

    const removed = await t.request('DELETE', `/api/webhooks/${id}`, { apiKey: inst.token });
    expect(removed.status).to.equal(200);
    expect(removed.body).to.deep.equal({ success: true, message: 'Webhook eliminado', data: { id } });
    expect((await t.request('GET', '/api/webhooks', { apiKey: inst.token })).body.data).to.deep.equal([]);
    const again = await t.request('DELETE', `/api/webhooks/${id}`, { apiKey: inst.token });
    expect(again.status).to.equal(404);
    expect(again.body.success).to.equal(false);
    expect((await t.request('POST', '/api/webhooks/nope/toggle', { apiKey: inst.token })).status).to.equal(404);
  });

  it("does not reveal another instance's webhooks", async () => {
    const a = await t.sandboxInstance((await t.owner()).token);
    const b = await t.sandboxInstance((await t.owner()).token);
    const created = await t.request('POST', '/api/webhooks/register', { apiKey: a.token, json: { url: receiver.url, events: ['ready'] } });
    const id = created.body.data.id as string;
    expect((await t.request('GET', '/api/webhooks', { apiKey: b.token })).body.data).to.deep.equal([]);
    expect((await t.request('POST', `/api/webhooks/${id}/toggle`, { apiKey: b.token })).status).to.equal(404);
    expect((await t.request('DELETE', `/api/webhooks/${id}`, { apiKey: b.token })).status).to.equal(404);
  });

  it('names the field for bad registrations', async () => {
    const inst = await t.sandboxInstance((await t.owner()).token);
    for (const [json, field] of [
      [{ events: ['message'] }, 'body.url'],
      [{ url: 'not a url', events: ['message'] }, 'body.url'],
      [{ url: 'http://169.254.169.254/latest', events: ['message'] }, 'body.url'],
      [{ url: receiver.url, events: ['mensaje'] }, 'body.events.0'],
      [{ url: receiver.url, events: [] }, 'body.events'],
      // the seed's placeholder secret is too short to sign with (a documented deviation)
      [{ url: receiver.url, events: ['message'], secret: 'string' }, 'body.secret'],
    ] as const) {
      const res = await t.request('POST', '/api/webhooks/register', { apiKey: inst.token, json });
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.body.success).to.equal(false);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(json)).to.include(field);
    }
    // nothing was registered, and the setting stayed off
    expect((await t.request('GET', '/api/webhooks', { apiKey: inst.token })).body.data).to.deep.equal([]);
    expect((await t.request('GET', `/v1/instances/${inst.id}/settings`, { apiKey: inst.token })).body.actions.send_webhook).to.equal(false);
  });
});
