import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect } from 'chai';
import type { DomainEvent } from '../../domain/events.js';
import { SandboxEngine } from '../../engines/sandbox/sandbox-engine.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { eventually, WebhookReceiver, type Answer, type ReceivedRequest, type Responder } from '../../test-support/webhook-receiver.js';

function statusEvent(n: number): DomainEvent {
  return {
    type: 'message.status',
    data: { message_id: `m${n}`, wa_message_id: `WA${n}`, to_jid: '59171234567@s.whatsapp.net', phone: '59171234567', lid: null, status: 'delivered', error: null, error_code: null },
  };
}

function verify(secret: string, req: ReceivedRequest): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${req.body}`).digest();
  return String(req.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, sig] = entry.split(',');
      const given = Buffer.from(sig ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('webhook delivery against a real local receiver', function () {
  this.timeout(30_000);
  let s: TestServer;
  let owner: { token: string };
  let instance: { id: string };
  const receivers: WebhookReceiver[] = [];

  before(async () => {
    s = await startTestServer({ config: { network: { allowLoopbackUrls: true }, webhooks: { retryScheduleSeconds: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2] } } });
    owner = await s.owner();
    instance = await s.sandboxInstance(owner.token);
  });
  after(async () => {
    for (const r of receivers) await r.close();
    await s.close({ cleanup: true });
  });

  async function receiver(respond?: Responder): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start(respond);
    receivers.push(r);
    return r;
  }

  async function subscribe(url: string, extra: Record<string, unknown> = {}, instanceId = instance.id) {
    const res = await s.request('POST', `/v1/instances/${instanceId}/webhooks`, { token: owner.token, json: { url, events: ['message.status'], ...extra } });
    expect(res.status, res.text).to.equal(201);
    return res.body as { id: string; secret: string };
  }

  const deliveries = async (wid: string, query = '') =>
    (await s.request('GET', `/v1/instances/${instance.id}/webhooks/${wid}/deliveries?limit=200${query}`, { token: owner.token })).body.deliveries;

  it('signs every request per Standard Webhooks, with the exact stored body and custom headers', async () => {
    const r = await receiver();
    const sub = await subscribe(r.url, { headers: { Authorization: 'Bearer endpoint-token' } });
    await s.app.modules.webhooks.webhooks.publish(instance.id, [statusEvent(1), statusEvent(2)]);
    const [a, b] = await r.waitFor(2);
    for (const req of [a, b]) {
      expect(verify(sub.secret, req), 'signature').to.equal(true);
      expect(req.headers['content-type']).to.equal('application/json');
      expect(req.headers.authorization).to.equal('Bearer endpoint-token');
      expect(Math.abs(Number(req.headers['webhook-timestamp']) - Date.now() / 1000)).to.be.below(300);
      const envelope = JSON.parse(req.body);
      expect(Object.keys(envelope)).to.deep.equal(['id', 'type', 'instance_id', 'timestamp', 'data']);
      expect(envelope).to.deep.include({ id: req.headers['webhook-id'], type: 'message.status', instance_id: instance.id });
      expect(envelope.data.phone).to.equal('59171234567');
    }
    expect(verify('whsec_' + Buffer.alloc(32).toString('base64'), a)).to.equal(false);
    // the outcome is recorded just after the answer arrives
    const list = await eventually(async () => {
      const all = await deliveries(sub.id);
      return all.every((d: { status: string }) => d.status === 'delivered') ? all : undefined;
    });
    const one = await s.request('GET', `/v1/instances/${instance.id}/webhooks/${sub.id}/deliveries/${list[0].id}`, { token: owner.token });
    expect([a.body, b.body]).to.include(one.body.body);
    expect(one.body).to.deep.include({ status: 'delivered', attempt_count: 1 });
  });

  it('retries after 500s, 3xx and timeouts, honours Retry-After, and stops at the first 2xx', async () => {
    const answers: Answer[] = [
      { status: 500 },
      { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } },
      { status: 200, hold: new Promise((resolve) => setTimeout(resolve, 2500)) }, // longer than timeout_ms: a timeout
      { status: 503, headers: { 'retry-after': '1' } },
      { status: 204 },
    ];
    const r = await receiver();
    r.respond = (req) => answers[req.n - 1] ?? { status: 204 };
    const sub = await subscribe(r.url, { timeout_ms: 1000 });
    await s.app.modules.webhooks.webhooks.publish(instance.id, [statusEvent(3)]);
    const done = await eventually(async () => {
      const [d] = await deliveries(sub.id);
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(done.attempts.map((a: { status_code: number | null }) => a.status_code)).to.deep.equal([500, 302, null, 503, 204]);
    expect(done.attempts[1].error).to.match(/redirects are not followed/);
    expect(done.attempts[2].error).to.match(/timed out/);
    const retryAfter = done.attempts[3];
    expect(Date.parse(retryAfter.next_retry_at) - Date.parse(retryAfter.at)).to.be.at.least(1000);
    expect(done.attempts[4].next_retry_at).to.equal(null);
    // every attempt carried the same id and body
    const bodies = new Set(r.requests.map((q) => q.body));
    const ids = new Set(r.requests.map((q) => q.headers['webhook-id']));
    expect(bodies.size).to.equal(1);
    expect(ids.size).to.equal(1);
    const count = r.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(r.requests.length).to.equal(count);
  });

  it('dead-letters after the last scheduled attempt, visibly, and redelivers on request', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const sub = await subscribe(r.url);
    await s.app.modules.webhooks.webhooks.publish(instance.id, [statusEvent(4)]);
    const dead = await eventually(async () => (await deliveries(sub.id, '&status=dead'))[0]);
    expect(dead.attempts).to.have.length(7); // the first attempt plus six scheduled retries
    expect(dead.next_attempt_at).to.equal(null);
    r.respond = () => ({ status: 200 });
    const again = await s.request('POST', `/v1/instances/${instance.id}/webhooks/${sub.id}/deliveries/${dead.id}/redeliver`, { token: owner.token });
    expect(again.status, again.text).to.equal(202);
    const delivered = await eventually(async () => (await deliveries(sub.id, '&status=delivered'))[0]);
    expect(delivered.attempts).to.have.length(8);
    expect(r.requests.at(-1)!.headers['webhook-id']).to.equal(dead.event_id);
  });

  it('disables the subscription on 410 Gone and records why', async () => {
    const r = await receiver(() => ({ status: 410 }));
    const sub = await subscribe(r.url);
    await s.app.modules.webhooks.webhooks.publish(instance.id, [statusEvent(5)]);
    const view = await eventually(async () => {
      const w = (await s.request('GET', `/v1/instances/${instance.id}/webhooks/${sub.id}`, { token: owner.token })).body;
      return w.enabled ? undefined : w;
    });
    expect(view.disabled_reason).to.equal('gone');
    expect(view.history.at(-1)).to.deep.include({ type: 'webhook.disabled', reason: 'gone' });
    const [d] = await deliveries(sub.id);
    expect(d.status).to.equal('paused');
    expect(d.attempts[0].status_code).to.equal(410);
    await s.app.modules.webhooks.webhooks.publish(instance.id, [statusEvent(6)]);
    expect(await deliveries(sub.id)).to.have.length(1);
    expect(r.requests).to.have.length(1);
  });

  it('delivers every event exactly as recorded to a receiver that was down for the first attempts', async () => {
    const r = await receiver();
    const sub = await subscribe(r.url);
    await r.down();
    const events = Array.from({ length: 25 }, (_, i) => statusEvent(100 + i));
    await s.app.modules.webhooks.webhooks.publish(instance.id, events.slice(0, 10));
    await s.app.modules.webhooks.webhooks.publish(instance.id, events.slice(10));
    await eventually(async () => {
      const list = await deliveries(sub.id);
      return list.length === 25 && list.every((d: { attempts: unknown[] }) => d.attempts.length >= 2);
    });
    await r.up();
    const recorded = await eventually(async () => {
      const list = await deliveries(sub.id);
      return list.every((d: { status: string }) => d.status === 'delivered') ? list : undefined;
    });
    for (const d of recorded) expect(d.attempts[0].error).to.match(/refused/);
    const stored = await Promise.all(
      recorded.map(async (d: { id: string }) => (await s.request('GET', `/v1/instances/${instance.id}/webhooks/${sub.id}/deliveries/${d.id}`, { token: owner.token })).body),
    );
    const received = new Map(r.requests.map((q) => [q.headers['webhook-id'], q.body]));
    expect(received.size).to.equal(25);
    for (const d of stored) expect(received.get(d.event_id)).to.equal(d.body);
    expect(new Set(stored.map((d) => JSON.parse(d.body).data.message_id))).to.deep.equal(new Set(events.map((e) => (e.data as { message_id: string }).message_id)));
    for (const q of r.requests) expect(verify(sub.secret, q)).to.equal(true);
  });

  it('delivers an inbound sandbox message as message.received, with the sender phone, once send_webhook is on', async () => {
    const r = await receiver();
    const bot = await s.sandboxInstance(owner.token, { settings: { actions: { send_webhook: true, reply_msgs: false } } });
    await subscribe(r.url, { events: ['onMessage'] }, bot.id);
    const engine = s.app.modules.engines.engines.get(bot.id) as SandboxEngine;
    await engine.inject([
      {
        instance_id: bot.id,
        wa_message_id: SandboxEngine.messageId(),
        chat_jid: '12345678901234@lid',
        sender_jid: '12345678901234@lid',
        sender_phone: '59171234567',
        push_name: 'Ana',
        is_group: false,
        is_broadcast: false,
        from_me: false,
        sent_by_api: false,
        offline: false,
        timestamp: Date.now(),
        kind: 'text',
        text: 'hola',
      },
    ]);
    const [req] = await r.waitFor(1);
    const event = JSON.parse(req.body);
    expect(event).to.deep.include({ type: 'message.received', instance_id: bot.id });
    expect(event.data).to.deep.include({ text: 'hola', from_phone: '59171234567', direction: 'in', from_me: false });
  });

  it('turns engine group participant updates into group.participants events', async () => {
    const r = await receiver();
    await subscribe(r.url, { events: ['group.participants'] });
    await s.app.modules.engines.hub.emit('groupParticipants', instance.id, {
      group_jid: '120363012345678901@g.us',
      action: 'add',
      participants: [{ jid: '12345678901234@lid', phone: '59171234567' }],
      author_jid: '59170000001@s.whatsapp.net',
    });
    const [req] = await r.waitFor(1);
    const event = JSON.parse(req.body);
    expect(event).to.deep.include({ type: 'group.participants', instance_id: instance.id });
    expect(event.data).to.deep.equal({
      group_jid: '120363012345678901@g.us',
      action: 'add',
      participants: [{ jid: '12345678901234@lid', phone: '59171234567', lid: null }],
      author_jid: '59170000001@s.whatsapp.net',
    });
  });

  it('does not let a slow endpoint hold back another endpoint or instance', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = await receiver(() => ({ status: 200, hold: gate }));
    const fast = await receiver();
    const other = await s.sandboxInstance(owner.token);
    const fastOther = await receiver();
    await subscribe(slow.url, { timeout_ms: 30_000 });
    await subscribe(fast.url);
    await subscribe(fastOther.url, {}, other.id);
    const events = Array.from({ length: 60 }, (_, i) => statusEvent(200 + i));
    await s.app.modules.webhooks.webhooks.publish(instance.id, events);
    await s.app.modules.webhooks.webhooks.publish(other.id, events);
    await fast.waitFor(60);
    await fastOther.waitFor(60);
    // the slow endpoint has answered nothing yet and holds only its own few slots
    expect(slow.requests.length).to.be.at.most(s.config.webhooks.perEndpointConcurrency);
    release();
    await slow.waitFor(60);
  });
});

describe('webhook auto-disable after days of only failures', function () {
  this.timeout(30_000);

  it('disables a subscription that only failed for disableAfterDays, records webhook.disabled, and resumes its deliveries when enabled', async () => {
    const s = await startTestServer({
      config: { network: { allowLoopbackUrls: true }, webhooks: { retryScheduleSeconds: Array(30).fill(0.2), disableAfterDays: 1 / 86_400 } },
    });
    const r = await WebhookReceiver.start(() => ({ status: 500 }));
    try {
      const owner = await s.owner();
      const instance = await s.sandboxInstance(owner.token);
      const sub = (await s.request('POST', `/v1/instances/${instance.id}/webhooks`, { token: owner.token, json: { url: r.url, events: ['message.status'] } })).body;
      await s.app.modules.webhooks.webhooks.publish(instance.id, [statusEvent(1), statusEvent(2)]);
      const url = `/v1/instances/${instance.id}/webhooks/${sub.id}`;
      const view = await eventually(async () => {
        const w = (await s.request('GET', url, { token: owner.token })).body;
        return w.enabled ? undefined : w;
      });
      expect(view.disabled_reason).to.equal('failing');
      expect(view.failing_since).to.be.a('string');
      expect(view.history.at(-1)).to.deep.include({ type: 'webhook.disabled', reason: 'failing' });
      // an attempt still in flight when it was disabled is parked as it finishes
      await eventually(async () => {
        const list = (await s.request('GET', `${url}/deliveries`, { token: owner.token })).body.deliveries;
        return list.length === 2 && list.every((d: { status: string }) => d.status === 'paused');
      });

      r.respond = () => ({ status: 204 });
      const on = await s.request('POST', `${url}/toggle`, { token: owner.token });
      expect(on.body).to.deep.include({ enabled: true, failing_since: null });
      await eventually(async () => {
        const list = (await s.request('GET', `${url}/deliveries`, { token: owner.token })).body.deliveries;
        return list.every((d: { status: string }) => d.status === 'delivered');
      });
    } finally {
      await r.close();
      await s.close({ cleanup: true });
    }
  });
});
