import { expect } from 'chai';
import type { SendRequest } from '../../engines/engine.js';
import { claimInPlace, type OutboxMessageDoc } from '../../store/repositories/outbox.js';
import { startHarness, type Harness } from '../../test-support/outbox-harness.js';
import type { InstanceDoc } from '../../store/repositories/instances.js';
import type { Answered, ReplyRequest } from '../ports.js';
import { newOutboxDoc } from './outbox-service.js';

const TO = '573001234567';
const JID = `${TO}@s.whatsapp.net`;
const SENT = ['sent', 'delivered'];

function reply(instanceId: string, text: string, inboundWaMessageId: string): ReplyRequest {
  return { instanceId, jid: JID, phone: TO, content: { type: 'text', text }, inboundMessageId: `in-${inboundWaMessageId}`, inboundWaMessageId, ruleId: null };
}

/** The pipeline's write: an inbound message (WhatsApp id `waId`) stored with one text reply. */
function answer(h: Harness, instanceId: string, text: string, waId: string): Promise<Answered> {
  return h.module.conversations.record(h.inbound(instanceId, waId, TO), [reply(instanceId, text, waId)]);
}

/** The reply's id, for a message answered for the first time. */
async function answered(h: Harness, instanceId: string, text: string, waId: string): Promise<string> {
  const { stored, ids } = await answer(h, instanceId, text, waId);
  expect(stored, `message ${waId} stored`).to.equal(true);
  return ids[0];
}

const textOf = (req: SendRequest) => (req.content.type === 'text' ? req.content.text : '');

/** A send held until the test lets it go. */
function gate() {
  let open!: () => void;
  const held = new Promise<void>((resolve) => (open = resolve));
  return { held, open };
}

/** Copies of every document the outbox inserts, as inserted. */
function watchInserts(h: Harness): OutboxMessageDoc[] {
  const seen: OutboxMessageDoc[] = [];
  const repo = h.module.outboxRepo;
  const insertMany = repo.insertMany.bind(repo);
  repo.insertMany = (docs) => {
    seen.push(...docs.map((d) => structuredClone(d)));
    return insertMany(docs);
  };
  const insertAnswer = repo.insertAnswer.bind(repo);
  repo.insertAnswer = (message, replies) => {
    seen.push(...replies.map((d) => structuredClone(d)));
    return insertAnswer(message, replies);
  };
  return seen;
}

/** Connects the instance and sends one message, so its dispatcher has had its first look at the queue. */
async function ready(h: Harness): Promise<InstanceDoc> {
  const instance = await h.instance();
  await h.connect(instance._id);
  await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'warm-up' } });
  return instance;
}

describe('outbox: bot replies handed straight to the dispatcher (adoption)', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const byId = (instanceId: string, id: string) => h.module.outboxRepo.byId(instanceId, id);
  const settled = (instanceId: string, id: string, what: string) =>
    h.until(async () => {
      const d = await byId(instanceId, id);
      return d && SENT.includes(d.status) ? d : null;
    }, what);

  it('stores a reply already claimed, sends it without a claim, once, and records it as sent', async () => {
    h = await startHarness();
    const instance = await ready(h);
    const inserted = watchInserts(h);
    const atSend = new Map<string, OutboxMessageDoc | null>();
    h.script = async (req) => void atSend.set(textOf(req), await h.module.outboxRepo.byWaId(instance._id, req.wa_message_id));

    const id = await answered(h, instance._id, 'Hi!', 'WA1');
    const sent = await settled(instance._id, id, 'the reply');

    expect(inserted[0]).to.include({ _id: id, status: 'sending', attempts: 1 });
    expect(inserted[0].dispatch_at! - inserted[0].updated_at, 'a lease, kept where an expired one is looked for').to.equal(h.config.outbox.leaseMs);
    expect(atSend.get('Hi!'), 'handed over as stored: no claim in between').to.include({ status: 'sending', attempts: 1, claim_id: inserted[0].claim_id });
    expect(sent).to.include({ attempts: 1, claim_id: inserted[0].claim_id, source: 'bot' });
    expect(sent.sent_at).to.be.a('number');
    expect(sent.dispatch_at).to.equal(undefined);
    expect((await h.record.sentById(instance._id, sent.wa_message_id!))!.deliveries).to.equal(1);
    expect(h.attempts.filter((a) => textOf(a) === 'Hi!')).to.have.length(1);
  });

  it('does not send a reply again when its inbound message is delivered again, in flight or after', async () => {
    h = await startHarness();
    const instance = await ready(h);
    const g = gate();
    h.script = async (req) => {
      if (textOf(req) === 'once') await g.held;
    };
    const first = await answered(h, instance._id, 'once', 'WA2');
    await h.until(async () => h.attempts.some((a) => textOf(a) === 'once'), 'the first send');
    const refused = { stored: false, ids: [] };
    expect(await answer(h, instance._id, 'once', 'WA2'), 'while in flight').to.deep.equal(refused);
    g.open();
    await settled(instance._id, first, 'the reply');
    expect(await answer(h, instance._id, 'once', 'WA2'), 'after').to.deep.equal(refused);
    // replies go out in the order they were handed over: once this one is out, a wrongly adopted copy would be too
    const marker = await answered(h, instance._id, 'marker', 'WA3');
    await settled(instance._id, marker, 'the marker reply');
    expect(h.attempts.filter((a) => textOf(a) === 'once')).to.have.length(1);
    expect((await byId(instance._id, first))!.attempts).to.equal(1);
    expect(await h.store.collection('messages').countDocuments({ instance_id: instance._id, in_key: 'WA2' }), 'the message stored once').to.equal(1);
  });

  it('keeps a chat in order when adopted replies meet queued messages', async () => {
    let last = 0;
    // strictly increasing, so every message has its own place in the queue
    h = await startHarness({ clock: () => (last = Math.max(Date.now(), last + 1)) });
    const instance = await ready(h);
    const g = gate();
    h.script = async (req) => {
      if (textOf(req) === 'hold') await g.held;
    };
    await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'hold' }, queue: true });
    await h.until(async () => h.attempts.some((a) => textOf(a) === 'hold'), 'the held send');
    // while the dispatcher is busy: a reply, a queued API message, another reply, all to the same chat
    await answered(h, instance._id, 'reply 1', 'WA4');
    await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'api' }, queue: true });
    const lastId = await answered(h, instance._id, 'reply 2', 'WA5');
    g.open();
    await settled(instance._id, lastId, 'the last reply');
    expect(h.attempts.map(textOf)).to.deep.equal(['warm-up', 'hold', 'reply 1', 'api', 'reply 2']);
  });

  it('queues replies as before when pacing is on, the engine is not connected, or the dispatchers are stopped', async () => {
    h = await startHarness({ config: { outbox: { pacing: { enabled: true, minIntervalMs: 0, jitterMs: 0, typing: false } } } });
    let instance = await ready(h);
    let inserted = watchInserts(h);
    const paced = await answered(h, instance._id, 'paced', 'WA6');
    expect(inserted[0]).to.include({ _id: paced, status: 'queued', attempts: 0 });
    expect(await settled(instance._id, paced, 'the paced reply')).to.include({ attempts: 1 });
    await h.close();

    h = await startHarness();
    instance = await ready(h);
    inserted = watchInserts(h);
    await h.engines.get(instance._id)!.disconnect();
    const offline = await answered(h, instance._id, 'offline', 'WA7');
    expect(inserted[0]).to.include({ _id: offline, status: 'queued' });
    await h.connect(instance._id);
    expect(await settled(instance._id, offline, 'the reply after reconnecting')).to.include({ attempts: 1 });

    await h.module.pool.stop();
    const stopped = await answered(h, instance._id, 'stopped', 'WA8');
    expect(inserted[1]).to.include({ _id: stopped, status: 'queued' });
  });

  it('puts held replies back in line when the engine drops, and sends them once it is back', async () => {
    h = await startHarness();
    const instance = await ready(h);
    const g = gate();
    h.script = async (req) => {
      if (textOf(req) === 'hold') await g.held;
    };
    const hold = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'hold' }, queue: true });
    await h.until(async () => h.attempts.some((a) => textOf(a) === 'hold'), 'the held send');
    const held = await answered(h, instance._id, 'held reply', 'WA9');
    await h.engines.get(instance._id)!.disconnect();
    g.open();
    const back = await h.until(async () => {
      const d = await byId(instance._id, held);
      return d?.status === 'queued' ? d : null;
    }, 'the reply back in the queue');
    expect(back).to.include({ attempts: 0, dispatch_at: back.created_at });
    await h.connect(instance._id);
    expect(await settled(instance._id, hold._id, 'the held message')).to.include({ attempts: 1 });
    expect(await settled(instance._id, held, 'the reply')).to.include({ attempts: 1 });
    expect(h.attempts.map(textOf).filter((t) => t !== 'warm-up')).to.deep.equal(['hold', 'hold', 'held reply']);
  });

  it('puts held replies back in the queue when it stops', async () => {
    h = await startHarness();
    const instance = await ready(h);
    const g = gate();
    h.script = async (req) => {
      if (textOf(req) === 'hold') await g.held;
    };
    await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'hold' }, queue: true });
    await h.until(async () => h.attempts.some((a) => textOf(a) === 'hold'), 'the held send');
    const held = await answered(h, instance._id, 'held reply', 'WA10');
    const stopping = h.module.pool.stop();
    g.open();
    await stopping;
    expect(await byId(instance._id, held)).to.include({ status: 'queued', attempts: 0 });
  });

  it('sends a reply whose handover was lost once its lease runs out, without being woken', async () => {
    h = await startHarness({ config: { outbox: { leaseMs: 300 } } });
    const repo = h.module.outboxRepo;
    const nextDue = repo.nextDue.bind(repo);
    let looked = 0;
    repo.nextDue = async (instanceId) => {
      const next = await nextDue(instanceId);
      looked++;
      return next;
    };
    const instance = await ready(h);
    // the dispatcher's look at the queue after the warm-up found nothing due: it sleeps until woken
    looked = 0;
    await h.until(async () => looked > 0, 'the dispatcher going quiet');
    // what a handover that never arrived leaves behind: stored claimed, nobody holding it
    const ticket = h.module.pool.offerAdoption(instance._id, Date.now());
    expect(ticket).to.not.equal(null);
    const doc = newOutboxDoc({ instanceId: instance._id, recipient: { jid: JID, phone: TO }, content: { type: 'text', text: 'lost' }, quoted: null, source: 'bot', now: ticket!.now });
    await h.module.outboxRepo.insert(claimInPlace(doc, ticket!.lease, ticket!.now));
    const sent = await settled(instance._id, doc._id, 'the send after the lease ran out');
    expect(sent.attempts).to.equal(2);
    expect(sent.claim_id).to.not.equal(ticket!.lease.token);
    expect((await h.record.sentById(instance._id, doc.wa_message_id!))!.deliveries).to.equal(1);
  });

  it('re-sends an adopted reply whose process died before recording it: once, under the same WhatsApp id', async () => {
    const dead = await startHarness();
    let restarted: Harness | null = null;
    const g = gate();
    try {
      const instance = await dead.instance();
      await dead.connect(instance._id);
      await dead.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'warm-up' } });
      let accepted = false;
      // WhatsApp takes the message, then the process "dies" before the outcome is written
      dead.script = async (req) => {
        if (textOf(req) !== 'in flight') return;
        await dead.record.recordSend({ instance_id: instance._id, wa_message_id: req.wa_message_id, jid: req.jid, content: { ...req.content }, quoted_id: null, sent_at: Date.now() });
        accepted = true;
        await g.held;
        throw new Error('the process is gone');
      };
      const id = await answered(dead, instance._id, 'in flight', 'WA11');
      await dead.until(async () => accepted, 'the engine taking the reply');
      const orphan = (await dead.module.outboxRepo.byId(instance._id, id))!;
      expect(orphan).to.include({ status: 'sending', attempts: 1 });

      // a new process on the same data: start-up lease recovery finds it
      restarted = h = await startHarness({ dir: dead.dir });
      await h.connect(instance._id);
      const sent = await settled(instance._id, id, 'the re-send after the restart');
      expect(sent).to.include({ wa_message_id: orphan.wa_message_id, attempts: 2 });
      expect(sent.claim_id).to.not.equal(orphan.claim_id);
      expect(h.attempts.map(textOf)).to.deep.equal(['in flight']);
      const record = await h.record.sentById(instance._id, orphan.wa_message_id!);
      expect(record!.deliveries, 'handed over twice under one WhatsApp id, which shows it once').to.equal(2);
      expect(await h.record.countSent(instance._id)).to.equal(2);
    } finally {
      g.open();
      await dead.close();
      await restarted?.close();
      h = null as unknown as Harness;
    }
  });
});
