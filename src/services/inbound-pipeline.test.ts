import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { SqliteStore } from '../store/embedded/sqlite-store.js';
import type { InboundMessageDoc } from '../store/repositories/inbound-messages.js';
import { InstancesRepo } from '../store/repositories/instances.js';
import type { Doc, Store } from '../store/port.js';
import { botModule } from '../modules/bot.js';
import { outboxModule } from '../modules/outbox.js';
import { EngineHub } from './engine-hub.js';
import { EngineManager } from './engine-manager.js';
import { InstancesService } from './instances.js';
import type { EventSink } from './ports.js';
import type { SandboxEngine } from '../engines/sandbox/sandbox-engine.js';
import { loadInbound } from '../test-support/inbound-fixtures.js';
import { startTestServer, testConfig, type TestServer } from '../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../test-support/webhook-receiver.js';

/** The store, except that writing a message with replies (more than one message at once) fails. */
function unavailableForReplies(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'collection') {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return <T extends Doc>(name: string) => {
        const coll = target.collection<T>(name);
        return new Proxy(coll, {
          get(c, p, r) {
            if (p === 'insertMany' && name === 'messages') return (docs: T[]) => (docs.length > 1 ? Promise.reject(new Error('the outbox is unavailable')) : c.insertMany(docs));
            const v = Reflect.get(c, p, r);
            return typeof v === 'function' ? v.bind(c) : v;
          },
        });
      };
    },
  });
}

describe('inbound pipeline', () => {
  describe('webhooks', () => {
    let t: TestServer;
    let token: string;
    let receiver: WebhookReceiver;

    before(async () => {
      t = await startTestServer({ config: { network: { allowLoopbackUrls: true, fetchTimeoutMs: 2000 } } });
      token = (await t.owner()).token;
      receiver = await WebhookReceiver.start();
    });
    after(async () => {
      await receiver.close();
      await t.close({ cleanup: true });
    });

    async function botWithHook(sendWebhook: boolean) {
      const inst = await t.sandboxInstance(token, { settings: { actions: { send_webhook: sendWebhook } } });
      await t.request('POST', `/v1/instances/${inst.id}/rules`, { token, json: { name: 'Prices', keywords: ['price'], reply: { text: 'Prices for [name]' } } });
      const hook = await t.request('POST', `/v1/instances/${inst.id}/webhooks`, { token, json: { url: `${receiver.url}/${inst.id}`, events: ['message.received', 'bot.replied'] } });
      expect(hook.status, hook.text).to.equal(201);
      return inst.id;
    }

    const bodiesFor = (id: string) => receiver.requests.filter((r) => r.path.endsWith(`/${id}`)).map((r) => JSON.parse(r.body));

    it('publishes message.received and bot.replied with the reply ids', async () => {
      const id = await botWithHook(true);
      const res = await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171234567', push_name: 'Eva', text: 'price?' } });
      expect(res.status).to.equal(201);
      const bodies = await eventually(async () => bodiesFor(id).length >= 2 && bodiesFor(id));
      const received = bodies.find((b) => b.type === 'message.received');
      const replied = bodies.find((b) => b.type === 'bot.replied');
      expect(received.data).to.deep.include({ message_id: res.body.message_id, text: 'price?', from_phone: '59171234567', push_name: 'Eva', direction: 'in' });
      expect(replied.data).to.deep.include({ inbound_message_id: res.body.message_id, used_default: false, to_jid: '59171234567@s.whatsapp.net' });
      expect(replied.data.rule.name).to.equal('Prices');
      expect(replied.data.reply_message_ids).to.deep.equal(res.body.reply_messages.map((r: { message_id: string }) => r.message_id));
      const outbound = await t.request('GET', `/v1/instances/${id}/messages/${replied.data.reply_message_ids[0]}`, { token });
      const sent = await t.app.modules.engines.sandbox.sentById(id, outbound.body.wa_message_id);
      expect(sent!.content).to.deep.include({ text: 'Prices for Eva' });
    });

    it('gates message events with send_webhook but still reports bot replies', async () => {
      const id = await botWithHook(false);
      const res = await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171234567', text: 'price' } });
      expect(res.body.events).to.deep.equal([]);
      const bodies = await eventually(async () => bodiesFor(id).length >= 1 && bodiesFor(id));
      expect(bodies.map((b) => b.type)).to.deep.equal(['bot.replied']);
    });
  });

  describe('across restarts', () => {
    it('keeps cooldowns and does not answer a redelivered message again', async () => {
      let t = await startTestServer();
      const token = (await t.owner()).token;
      const inst = await t.sandboxInstance(token);
      await t.request('POST', `/v1/instances/${inst.id}/rules`, { token, json: { name: 'Menu', keywords: ['menu'], cooldown_seconds: 3600, reply: { text: 'the menu' } } });
      const first = await t.request('POST', `/v1/instances/${inst.id}/sandbox/messages`, { token, json: { from: '59171234567', text: 'menu' } });
      expect(first.body.replied).to.equal(true);
      const message = loadInbound('text-private', { instance_id: inst.id, wa_message_id: 'REDELIVERED1', text: 'hello' });
      await (t.app.modules.engines.engines.get(inst.id) as SandboxEngine).inject([message]);
      // both answers (to 'menu' and to the redelivered message's first delivery) have left the outbox
      const sentBefore = await eventually(async () => (await t.app.modules.engines.sandbox.countSent(inst.id)) === 2 && 2);

      const dataDir = t.dataDir;
      await t.close();
      t = await startTestServer({ dataDir });
      try {
        const again = await t.request('POST', `/v1/instances/${inst.id}/sandbox/messages`, { token, json: { from: '59171234567', text: 'menu please' } });
        expect(again.status, again.text).to.equal(201);
        expect(again.body).to.deep.include({ replied: false, stop: 'cooldown' });

        await (t.app.modules.engines.engines.get(inst.id) as SandboxEngine).inject([message]);
        // the message store refuses the redelivery, and the ordered insert stops before its reply
        const outbound = await t.request('GET', `/v1/instances/${inst.id}/messages?direction=out`, { token });
        expect(outbound.body.pagination.total).to.equal(2);
        expect(await t.app.modules.engines.sandbox.countSent(inst.id)).to.equal(sentBefore);
      } finally {
        await t.close({ cleanup: true });
      }
    });
  });

  describe('reply failures', () => {
    it('stores the message alone, with the reason, when its replies cannot be stored', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-pipeline-'));
      const store = new SqliteStore(path.join(dir, 'tucan.db'));
      try {
        const log = pino({ level: 'silent' });
        const instancesRepo = new InstancesRepo(store);
        await instancesRepo.init();
        const instances = new InstancesService(instancesRepo);
        const hub = new EngineHub(log);
        const engines = new EngineManager({}, hub, log);
        const published: string[] = [];
        const sink: EventSink = { publish: async (_id, events) => void published.push(...events.map((e) => e.type)), wants: () => true };
        const refuse = () => Promise.reject(new Error('not in this test'));
        const ports = { events: sink, media: { store: refuse, load: refuse, voiceNote: refuse }, contacts: { vcardFields: refuse }, variator: { vary: (t: string) => t } };
        // the outbox cannot take replies: every insert of a message with its replies fails
        const outbox = await outboxModule({ config: testConfig(dir), store: unavailableForReplies(store), instancesRepo, engines, ports, clock: Date.now, log });
        const bot = await botModule({ store, instancesRepo, engines, sink, record: outbox.conversations, replyOutcomes: async () => null, mediaIntake: ports.media, replyReferences: { media: { check: refuse }, contacts: ports.contacts }, clock: Date.now, log });
        const { instance } = await instances.create('owner-1', { name: 'bot', engine: 'sandbox', settings: { actions: { send_webhook: true } } });
        const message = loadInbound('text-private', { instance_id: instance._id, wa_message_id: 'UNANSWERED1', text: 'hello' });
        await bot.pipeline.handle(instance._id, [message]);

        const stored = (await store.collection('messages').findOne({ instance_id: instance._id, in_key: 'UNANSWERED1' })) as InboundMessageDoc | null;
        expect(stored, 'the message is not lost with its replies').to.not.equal(null);
        expect(stored!.decision).to.include({ used_default: true, reply_error: 'the outbox is unavailable' });
        expect(await store.collection('messages').countDocuments({ instance_id: instance._id, direction: 'out' })).to.equal(0);
        expect(published, 'its webhooks still go out; bot.replied does not').to.include('message.received').and.not.include('bot.replied');
      } finally {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('records a reply that could not be prepared as failed in the outbox, with the reason', async () => {
      const t = await startTestServer();
      try {
        const token = (await t.owner()).token;
        const inst = await t.sandboxInstance(token);
        // a host that does not resolve is accepted when the rule is saved (DNS may not be published yet), so this reply cannot be fetched
        const rule = await t.request('POST', `/v1/instances/${inst.id}/rules`, { token, json: { name: 'Pic', keywords: ['photo'], reply: { image: { url: 'http://pictures.invalid/pic.jpg' } } } });
        expect(rule.status, rule.text).to.equal(201);
        const res = await t.request('POST', `/v1/instances/${inst.id}/sandbox/messages`, { token, json: { from: '59171234567', text: 'photo' } });
        expect(res.status).to.equal(201);
        expect(res.body.rule.name).to.equal('Pic');
        // the reply is in the outbox, visibly failed with the reason
        expect(res.body.reply_messages).to.have.length(1);
        expect(res.body.reply_messages[0].status).to.equal('failed');
        expect(res.body.reply_messages[0].error).to.match(/could not be prepared.*does not resolve/);
        expect(await t.app.modules.engines.sandbox.countSent(inst.id)).to.equal(0);
      } finally {
        await t.close({ cleanup: true });
      }
    });
  });
});
