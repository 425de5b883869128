/**
 * Two nodes (two apps in this process) on one PostgreSQL schema: a change
 * made through one node's API is honoured by the node that runs the
 * instance within a second, not at the end of its caches' polls (2 s for
 * settings, rules and flows, 5 s for webhook subscriptions): the settings,
 * a rule, and a webhook subscription (created, then disabled). The change
 * goes through the node that does NOT run the instance, so the owner hears
 * of it only through the store's change notification. Also: a login made
 * on one node is accepted by the other (the JWT secret is shared through
 * the store, none is configured here).
 */
import { expect } from 'chai';
import { nodeConfig, onPostgres } from '../../test-support/postgres-suite.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../../test-support/webhook-receiver.js';

const HONOURED_WITHIN_MS = 1000;

onPostgres('caches of two nodes on PostgreSQL', function (url) {
  this.timeout(90_000);
  const config = (nodeId: string) => nodeConfig(url, nodeId, { network: { allowLoopbackUrls: true, fetchTimeoutMs: 2000 }, cluster: { leaseMs: 4000, renewMs: 1000 } });
  let a: TestServer;
  let b: TestServer;
  let token: string;
  let id: string;
  /** The node that runs the instance (its pipeline answers), and the one the changes go through. */
  let owner: TestServer;
  let other: TestServer;
  let sender = 0;

  before(async () => {
    a = await startTestServer({ config: config('node-a') });
    b = await startTestServer({ config: config('node-b') });
    ({ token } = await a.owner());
    ({ id } = await a.sandboxInstance(token, { settings: { actions: { send_webhook: true } } }));
    const node = await eventually(async () => (await a.request('GET', `/v1/instances/${id}/status`, { token })).body?.node as string | undefined, 20_000, 100);
    [owner, other] = node === 'node-b' ? [b, a] : [a, b];
  });
  after(async () => {
    await a?.close({ cleanup: true });
    await b?.close({ cleanup: true });
  });

  /** A message from a new number each time (no per-chat caps or cool-downs), answered by the owner itself. */
  async function say(text: string): Promise<string[]> {
    const from = `5917${String(1_000_000 + ++sender).slice(-7)}`;
    const res = await owner.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from, text } });
    expect(res.status, res.text).to.equal(201);
    expect(res.headers.get('x-tucan-node'), 'answered by the owner, not carried to another node').to.equal(null);
    return (res.body.replies as { text?: string }[]).map((r) => r.text ?? '');
  }

  /** Milliseconds from the change's answer until the owner answers as `honoured` says, asking every 20 ms. */
  async function honouredAfter(change: () => Promise<{ status: number; text: string }>, expectedStatus: number, honoured: () => Promise<boolean>): Promise<number> {
    const res = await change();
    expect(res.status, res.text).to.equal(expectedStatus);
    const changedAt = performance.now();
    for (;;) {
      if (await honoured()) return performance.now() - changedAt;
      if (performance.now() - changedAt > 10_000) throw new Error('the change was not honoured within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('shares the JWT secret through the store: a login on one node is accepted by the other', async () => {
    const me = await b.request('GET', '/v1/users/me', { token });
    expect(me.status, me.text).to.equal(200);
  });

  it('honours a settings change made through the other node within a second', async () => {
    const figures: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const text = `Default reply, version ${round}`;
      // the owner's cache holds the settings before the change (read just now)
      expect(await say('nothing matches this')).to.not.include(text);
      figures.push(
        await honouredAfter(
          () => other.request('PATCH', `/v1/instances/${id}/settings`, { token, json: { default_msg: text } }),
          200,
          async () => (await say('nothing matches this')).includes(text),
        ),
      );
    }
    console.log(`      (settings honoured by the owner ${figures.map((ms) => ms.toFixed(0)).join(', ')} ms after the other node's 200)`);
    for (const ms of figures) expect(ms).to.be.below(HONOURED_WITHIN_MS);
  });

  it('honours a rule change made through the other node within a second', async () => {
    const created = await other.request('POST', `/v1/instances/${id}/rules`, { token, json: { name: 'Prices', keywords: ['precio'], reply: { text: 'Price list 0' } } });
    expect(created.status, created.text).to.equal(201);
    const figures = [await honouredAfter(async () => created, 201, async () => (await say('precio?')).includes('Price list 0'))];
    for (let round = 1; round <= 3; round++) {
      const text = `Price list ${round}`;
      expect(await say('precio?')).to.not.include(text);
      figures.push(
        await honouredAfter(
          () => other.request('PATCH', `/v1/instances/${id}/rules/${created.body.id}`, { token, json: { reply: { text } } }),
          200,
          async () => (await say('precio?')).includes(text),
        ),
      );
    }
    console.log(`      (rule changes honoured by the owner ${figures.map((ms) => ms.toFixed(0)).join(', ')} ms after the other node's answer)`);
    for (const ms of figures) expect(ms).to.be.below(HONOURED_WITHIN_MS);
  });

  it('starts and stops delivering to a webhook created and then disabled through the other node within a second', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const received = (marker: string) => receiver.requests.some((r) => r.body.includes(marker));
      let subscription = '';
      // created: the owner's next messages are delivered (delivery itself is asynchronous, so the
      // measure is when the first message said after the change that reaches the receiver was said)
      const createdAt = performance.now();
      const created = await other.request('POST', `/v1/instances/${id}/webhooks`, { token, json: { url: receiver.url, events: ['message.received'] } });
      expect(created.status, created.text).to.equal(201);
      subscription = created.body.id;
      const answeredAt = performance.now();
      const said: { marker: string; at: number }[] = [];
      for (let i = 0; performance.now() - answeredAt < 1500; i++) {
        const marker = `on-${i}-${Date.now()}`;
        said.push({ marker, at: performance.now() - answeredAt });
        await say(marker);
        await new Promise((r) => setTimeout(r, 50));
      }
      await eventually(async () => said.filter((s) => s.at >= HONOURED_WITHIN_MS).every((s) => received(s.marker)), 10_000, 50);
      const first = said.find((s) => received(s.marker))!;
      console.log(`      (webhook creation: the first message delivered was said ${first.at.toFixed(0)} ms after the other node's 201 (${(answeredAt - createdAt).toFixed(0)} ms to create))`);
      expect(first.at).to.be.below(HONOURED_WITHIN_MS);

      // disabled: messages said a second after the change are not delivered any more
      const off = await other.request('POST', `/v1/instances/${id}/webhooks/${subscription}/toggle`, { token, json: { enabled: false } });
      expect(off.status, off.text).to.equal(200);
      expect(off.body.enabled).to.equal(false);
      const offAt = performance.now();
      const after: { marker: string; at: number }[] = [];
      while (performance.now() - offAt < 2000) {
        const marker = `off-${after.length}-${Date.now()}`;
        after.push({ marker, at: performance.now() - offAt });
        await say(marker);
        await new Promise((r) => setTimeout(r, 50));
      }
      // time for any delivery still under way to arrive
      await new Promise((r) => setTimeout(r, 2500));
      const delivered = after.filter((s) => received(s.marker));
      const last = delivered.at(-1);
      console.log(`      (webhook disabled: ${delivered.length} of ${after.length} later messages delivered${last ? `, the last said ${last.at.toFixed(0)} ms after the 200` : ''})`);
      expect(delivered.filter((s) => s.at >= HONOURED_WITHIN_MS).map((s) => s.marker)).to.deep.equal([]);
    } finally {
      await receiver.close();
    }
  });
});
