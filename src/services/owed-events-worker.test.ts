/**
 * On PostgreSQL (no turn commit) a message's webhook events are kept with
 * it until published. A node dying between the two leaves them owed: the
 * redelivery of the message publishes them, and so does the owner's sweep
 * when no redelivery comes.
 */
import { expect } from 'chai';
import { MESSAGES } from '../store/repositories/message-base.js';
import { nodeConfig, onPostgres } from '../test-support/postgres-suite.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../test-support/webhook-receiver.js';

onPostgres('webhook events owed by a stored message', function (url) {
  this.timeout(30_000);
  let t: TestServer;
  let receiver: WebhookReceiver;
  let token: string;
  let id: string;

  before(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestServer({ config: nodeConfig(url, 'owed', { network: { allowLoopbackUrls: true } }) });
    ({ token } = await t.owner());
    ({ id } = await t.sandboxInstance(token, { settings: { actions: { send_webhook: true } } }));
    await t.request('POST', `/v1/instances/${id}/rules`, { token, json: { name: 'hi', keywords: ['hola'], reply: { text: 'hola!' } } });
    const hook = await t.request('POST', `/v1/instances/${id}/webhooks`, { token, json: { url: receiver.url, events: ['message.received', 'bot.replied'] } });
    expect(hook.status, hook.text).to.equal(201);
  });
  after(async () => {
    await t?.close({ cleanup: true });
    await receiver?.close();
  });

  const messages = () => t.app.modules.store.collection<{ _id: string; in_key?: string; unpublished?: unknown; owes_events_since?: number }>(MESSAGES);
  /** The events of one message: message.received names its WhatsApp id, bot.replied its tucan id. */
  const ids = new Map<string, string>();
  const eventsFor = (waId: string, type: string) =>
    receiver.requests.map((r) => JSON.parse(r.body)).filter((b) => b.type === type && (type === 'bot.replied' ? b.data.inbound_message_id === ids.get(waId) : JSON.stringify(b).includes(waId)));

  /** A message answered normally, then made to look as if its node died before publishing (the events delivered so far are forgotten). */
  async function storedButUnpublished(waId: string, owedSince: number): Promise<void> {
    const said = await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59170000009', text: 'hola', id: waId } });
    expect(said.status, said.text).to.equal(201);
    ids.set(waId, said.body.message_id);
    await eventually(async () => eventsFor(waId, 'bot.replied').length === 1, 10_000);
    const doc = await messages().findOne({ in_key: waId });
    expect(doc?.unpublished, 'published events are not kept').to.equal(undefined);
    const received = eventsFor(waId, 'message.received')[0];
    const replied = eventsFor(waId, 'bot.replied')[0];
    await messages().updateOne(
      { in_key: waId },
      { $set: { unpublished: { events: [{ type: 'message.received', data: received.data }], bot_replied: { ...replied.data, reply_message_ids: undefined } }, owes_events_since: owedSince } },
    );
    receiver.requests.length = 0;
  }

  it('the redelivery of the message publishes what it owed, and answers nothing twice', async () => {
    // owed since just now: the sweep leaves it alone, so only the redelivery can publish it
    await storedButUnpublished('OWED00000001', Date.now());
    // another process takes over (this one remembers the id and would drop the redelivery before the store sees it)
    const dataDir = t.dataDir;
    await t.close();
    t = await startTestServer({ dataDir, config: nodeConfig(url, 'owed-2', { network: { allowLoopbackUrls: true } }) });
    await eventually(async () => (await t.request('GET', `/v1/instances/${id}/status`, { token })).body.status === 'connected', 10_000);
    const again = await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59170000009', text: 'hola', id: 'OWED00000001' } });
    expect(again.status, again.text).to.equal(201);
    // at least once: the redelivery's own run publishes message.received as well
    await eventually(async () => eventsFor('OWED00000001', 'message.received').length >= 1 && eventsFor('OWED00000001', 'bot.replied').length === 1, 10_000);
    expect(eventsFor('OWED00000001', 'bot.replied')[0].data.reply_message_ids).to.have.length(1);
    expect((await messages().findOne({ in_key: 'OWED00000001' }))?.unpublished).to.equal(undefined);
    const replies = await messages().countDocuments({ inbound_message_id: ids.get('OWED00000001') });
    expect(replies, 'one reply, the first one').to.equal(1);
  });

  it('without a redelivery, the sweep of the node running the instance publishes them', async () => {
    await storedButUnpublished('OWED00000002', Date.now() - 60_000);
    expect(await t.app.modules.bot.owedEvents!.runOnce()).to.equal(1);
    await eventually(async () => eventsFor('OWED00000002', 'message.received').length === 1 && eventsFor('OWED00000002', 'bot.replied').length === 1, 10_000);
    const doc = await messages().findOne({ in_key: 'OWED00000002' });
    expect(doc?.unpublished).to.equal(undefined);
    expect(doc?.owes_events_since).to.equal(undefined);
    expect(await t.app.modules.bot.owedEvents!.runOnce(), 'nothing owed any more').to.equal(0);
  });
});
