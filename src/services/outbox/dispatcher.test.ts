import { expect } from 'chai';
import { EngineNotConnectedError, EngineSendError } from '../../engines/engine.js';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';
import { startHarness, type Harness } from '../../test-support/outbox-harness.js';
import type { DomainEvent } from '../../domain/events.js';
import { ServiceError } from '../errors.js';
import { newOutboxDoc } from './outbox-service.js';

const TO = '573001234567';

describe('outbox dispatcher', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const byId = (instanceId: string, id: string) => h.module.outboxRepo.byId(instanceId, id);

  it('persists before the first attempt, sends under the stored WhatsApp id, and lets receipts only advance the status', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    const seenAtSend: (OutboxMessageDoc | null)[] = [];
    h.script = async (req) => {
      seenAtSend.push(await h.module.outboxRepo.byWaId(instance._id, req.wa_message_id));
    };
    const doc = await h.module.outbox.send(instance, { to: '+57 300 123 4567', content: { type: 'text', text: 'hola' } });
    // the sandbox acknowledges delivery at once; that receipt may be folded into the same write
    expect(doc.status).to.be.oneOf(['sent', 'delivered']);
    expect(doc.sent_at).to.be.a('number');
    expect(seenAtSend[0]).to.include({ _id: doc._id, status: 'sending' });
    const recorded = await h.record.sentById(instance._id, doc.wa_message_id!);
    expect(recorded).to.include({ jid: `${TO}@s.whatsapp.net`, deliveries: 1 });
    expect(recorded!.content).to.deep.include({ type: 'text', text: 'hola' });

    await h.until(async () => (await byId(instance._id, doc._id))?.status === 'delivered', 'the delivery receipt');
    await h.hub.emit('receipt', instance._id, [{ wa_message_id: doc.wa_message_id!, status: 'read' }]);
    await h.hub.emit('receipt', instance._id, [{ wa_message_id: doc.wa_message_id!, status: 'delivered' }]);
    const after = await byId(instance._id, doc._id);
    expect(after).to.include({ status: 'read' });
    expect(after!.read_at).to.be.a('number');
    expect(after!.dispatch_at).to.equal(undefined);
  });

  it('does not retry error 463 (reach-out timelock) and says why', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    h.script = () => {
      throw new EngineSendError('reach-out timelock', true, '463');
    };
    const doc = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'cold hello' } });
    expect(doc).to.include({ status: 'failed', error_code: '463' });
    expect(doc.error).to.match(/463/).and.match(/not retried/);
    expect(doc.dispatch_at, 'nothing left to retry').to.equal(undefined);
    expect(h.attempts).to.have.length(1);
    expect(await h.record.countSent(instance._id)).to.equal(0);
  });

  it('abandons a send the engine never answers after half the lease and retries it under the same WhatsApp id', async () => {
    h = await startHarness({ config: { outbox: { leaseMs: 2000 } } });
    const instance = await h.instance();
    await h.connect(instance._id);
    h.script = async (_req, n) => {
      // the first attempt hangs, as a socket that stopped answering would
      if (n === 1) await new Promise(() => {});
    };
    const doc = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'are you there?' }, queue: true });
    const requeued = await h.until(async () => {
      const d = await byId(instance._id, doc._id);
      return d?.error_code === 'timeout' ? d : null;
    }, 'the abandoned send');
    expect(requeued.error).to.match(/did not answer within 1000 ms/);
    const sent = await h.until(async () => {
      const d = await byId(instance._id, doc._id);
      return d?.status === 'sent' || d?.status === 'delivered' ? d : null;
    }, 'the retry');
    expect(sent.attempts).to.equal(2);
    expect(new Set(h.attempts.map((a) => a.wa_message_id))).to.deep.equal(new Set([doc.wa_message_id]));
  });

  it('retries retryable failures with backoff under the same WhatsApp id, and gives up after maxAttempts', async () => {
    h = await startHarness({ config: { outbox: { maxAttempts: 2 } } });
    const instance = await h.instance();
    await h.connect(instance._id);
    h.script = (req) => {
      if (req.content.type === 'text' && req.content.text === 'flaky' && h.attempts.filter((a) => a.wa_message_id === req.wa_message_id).length === 1) {
        throw new EngineSendError('socket closed', true, 'stream_error');
      }
      if (req.content.type === 'text' && req.content.text === 'doomed') throw new EngineSendError('socket closed', true, 'stream_error');
    };
    const flaky = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'flaky' }, queue: true });
    const doomed = await h.module.outbox.send(instance, { to: '573001234568', content: { type: 'text', text: 'doomed' }, queue: true });
    const sent = await h.until(async () => {
      const d = await byId(instance._id, flaky._id);
      return d?.status === 'delivered' || d?.status === 'sent' ? d : null;
    }, 'the retried send');
    expect(sent.attempts).to.equal(2);
    expect(new Set(h.attempts.filter((a) => a.content.type === 'text' && a.content.text === 'flaky').map((a) => a.wa_message_id)).size).to.equal(1);
    const failed = await h.until(async () => {
      const d = await byId(instance._id, doomed._id);
      return d?.status === 'failed' ? d : null;
    }, 'giving up');
    expect(failed.error).to.match(/gave up after 2 attempts: socket closed/);
  });

  it('fails a non-retryable refusal at once', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    h.script = () => {
      throw new EngineSendError('media rejected by WhatsApp', false, 'bad_media');
    };
    const doc = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'x' } });
    expect(doc).to.include({ status: 'failed', error: 'media rejected by WhatsApp', error_code: 'bad_media' });
  });

  it('refuses an offline instance unless queued, keeps queued messages until it connects, and refunds attempts lost to a disconnect', async () => {
    h = await startHarness();
    const instance = await h.instance();
    const err = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'now?' } }).catch((e) => e);
    expect(err).to.be.instanceOf(ServiceError);
    expect(err.status).to.equal(503);
    expect(err.message).to.match(/not connected/);

    const queued = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'later' }, queue: true });
    expect(queued.status).to.equal('queued');
    let dropped = false;
    h.script = async () => {
      if (!dropped) {
        dropped = true;
        await h.engines.get(instance._id)!.disconnect();
        throw new EngineNotConnectedError('disconnected');
      }
    };
    await h.connect(instance._id);
    await h.until(async () => (await byId(instance._id, queued._id))?.status === 'queued' && dropped, 'the disconnect');
    await h.connect(instance._id);
    const sent = await h.until(async () => {
      const d = await byId(instance._id, queued._id);
      return d && ['sent', 'delivered'].includes(d.status) ? d : null;
    }, 'the send after reconnecting');
    expect(sent.attempts, 'the attempt lost to the disconnect is refunded').to.equal(1);
  });

  it('retries a message whose claim expired (its dispatcher died), and fences off the dead claim', async () => {
    h = await startHarness({ config: { outbox: { leaseMs: 300 } } });
    const instance = await h.instance();
    await h.connect(instance._id);
    await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'warm-up' } });
    // what a dispatcher that died mid-send leaves behind: claimed, lease running
    const now = Date.now();
    const doc = newOutboxDoc({ instanceId: instance._id, recipient: { jid: `${TO}@s.whatsapp.net`, phone: TO }, content: { type: 'text', text: 'orphan' }, quoted: null, source: 'api', now });
    const dead = { ...doc, status: 'sending' as const, claim_id: 'claim-of-a-dead-process', attempts: 1, dispatch_at: now + 300 };
    await h.module.outboxRepo.insert(dead);
    h.module.pool.wake(instance._id);
    const sent = await h.until(async () => {
      const d = await byId(instance._id, doc._id);
      return d && ['sent', 'delivered'].includes(d.status) ? d : null;
    }, 'the retry after the lease expired');
    expect(sent.attempts).to.equal(2);
    expect(sent.claim_id).to.not.equal(dead.claim_id);
    expect(await h.module.outboxRepo.markFailed(doc._id, dead.claim_id!, Date.now(), 'late', null), 'the dead claim cannot write').to.equal(null);
    expect((await h.record.sentById(instance._id, doc.wa_message_id!))!.deliveries).to.equal(1);
  });

  it('paces one message at a time and shows typing before texts', async () => {
    h = await startHarness({ config: { outbox: { pacing: { enabled: true, minIntervalMs: 10, jitterMs: 5, typing: true } } } });
    const instance = await h.instance();
    await h.connect(instance._id);
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) ids.push((await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text }, queue: true }))._id);
    await h.until(async () => (await h.record.countSent(instance._id)) === 3, 'three paced sends');
    expect(h.attempts.map((a) => (a.content.type === 'text' ? a.content.text : ''))).to.deep.equal(['one', 'two', 'three']);
    expect(h.presence).to.deep.equal(Array(3).fill({ jid: `${TO}@s.whatsapp.net`, presence: 'composing' }));
  });

  it('delivers buttons and lists as text that keeps every option', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    await h.module.outbox.send(instance, {
      to: TO,
      content: { type: 'buttons', text: 'Pick one', footer: 'Shop', buttons: [{ type: 'reply', title: 'Yes' }, { type: 'url', title: 'Site', payload: 'https://example.com' }, { type: 'call', title: 'Call us', payload: '59171234567' }] },
    });
    const [sent] = await h.record.listSent(instance._id);
    expect(sent.content.type).to.equal('text');
    expect(sent.content.text).to.include('1. Yes').and.include('2. Site: https://example.com').and.include('3. Call us: +59171234567').and.include('_Shop_');
  });

  it('quotes a message by tucan id and translates reaction targets to WhatsApp ids', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    const first = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'first' } });
    await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'second', reply_to: first._id } });
    await h.module.outbox.send(instance, { to: TO, content: { type: 'reaction', emoji: '👍', message_id: first._id } });
    const sent = await h.record.listSent(instance._id);
    expect(sent[1].quoted_id).to.equal(first.wa_message_id);
    expect(sent[2].content).to.include({ type: 'reaction', message_id: first.wa_message_id });
    // the engine keys the reaction by the stored target: our own message, so fromMe (a key with fromMe false fails silently)
    const reactions = (await h.module.outbox.list(instance, { direction: 'out', page: 1, limit: 10 })).messages.filter((m) => (m.content as { type: string }).type === 'reaction');
    expect(reactions[0].quoted).to.deep.include({ wa_message_id: first.wa_message_id, from_me: true, chat_jid: `${TO}@s.whatsapp.net` });
    const missing = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'x', reply_to: '0123456789abcdef01234567' } }).catch((e) => e);
    expect(missing.errors).to.deep.equal([{ field: 'body.reply_to', message: 'no message with this id' }]);
  });

  it('sends bot replies through the outbox and records an unpreparable one as failed', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    const { stored, ids } = await h.module.conversations.record(h.inbound(instance._id, 'WA1', TO), [
      { instanceId: instance._id, jid: `${TO}@s.whatsapp.net`, phone: TO, content: { type: 'text', text: 'Hi!' }, inboundMessageId: 'in1', inboundWaMessageId: 'WA1', ruleId: 'r1' },
      { instanceId: instance._id, jid: `${TO}@s.whatsapp.net`, phone: TO, content: { type: 'image', media: { url: 'https://example.com/a.jpg' } }, inboundMessageId: 'in1', inboundWaMessageId: 'WA1', ruleId: 'r1' },
    ]);
    expect(stored).to.equal(true);
    expect(ids).to.have.length(2);
    const ok = await h.until(async () => {
      const d = await byId(instance._id, ids[0]);
      return d && d.sent_at ? d : null;
    }, 'the reply');
    expect(ok).to.include({ source: 'bot', inbound_message_id: 'in1', rule_id: 'r1' });
    const failed = await byId(instance._id, ids[1]);
    expect(failed).to.include({ status: 'failed', error_code: 'unsendable' });
    expect(failed!.error).to.match(/media intake is not available/);
  });

  it('cancels only what has not been handed to WhatsApp', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    const later = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'later' }, schedule_at: new Date(Date.now() + 3600_000).toISOString() });
    expect(later.status).to.equal('scheduled');
    expect((await h.module.outbox.cancel(instance, later._id)).status).to.equal('cancelled');
    expect((await h.module.outbox.cancel(instance, later._id)).status, 'cancelling twice is harmless').to.equal('cancelled');
    const sent = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'now' } });
    const err = await h.module.outbox.cancel(instance, sent._id).catch((e) => e);
    expect(err.status).to.equal(409);
    expect(err.errors[0].field).to.equal('params.msgId');
  });

  it('publishes message.status for each step, message.any for our own send, and job progress', async () => {
    const events: { instanceId: string; event: DomainEvent }[] = [];
    h = await startHarness({ ports: { events: { wants: () => true, publish: async (instanceId, list) => void events.push(...list.map((event) => ({ instanceId, event }))) } } });
    const instance = await h.instance();
    await h.connect(instance._id);
    const doc = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'tracked' } });
    await h.until(async () => events.some((e) => e.event.type === 'message.status' && e.event.data.status === 'delivered'), 'the delivered event');
    const mine = events.filter((e) => e.event.type !== 'job.progress' && (e.event.data as { message_id: string }).message_id === doc._id);
    expect(mine.every((e) => e.instanceId === instance._id)).to.equal(true);
    expect(mine.map((e) => `${e.event.type}:${(e.event.data as { status?: string }).status ?? ''}`)).to.deep.equal(['message.status:sent', 'message.any:', 'message.status:delivered']);
    expect(mine[1].event.data).to.deep.include({ direction: 'out', from_me: true, sent_by_api: true, text: 'tracked', chat_jid: `${TO}@s.whatsapp.net` });

    h.script = () => {
      throw new EngineSendError('nope', false, 'rejected');
    };
    const failed = await h.module.outbox.send(instance, { to: TO, content: { type: 'text', text: 'refused' } });
    expect(events.find((e) => e.event.type === 'message.status' && e.event.data.message_id === failed._id)!.event.data).to.deep.include({ status: 'failed', error: 'nope', error_code: 'rejected' });

    h.script = null;
    const { job } = await h.module.jobs.create(instance, { recipients: [TO, '573001234568'], content: { type: 'text', text: 'x' }, delay_ms: 0 });
    const done = await h.until(async () => events.find((e) => e.event.type === 'job.progress' && e.event.data.status === 'completed'), 'job completion event');
    expect(done.event.data).to.deep.equal({ job_id: job._id, status: 'completed', total: 2, sent: 2, failed: 0, pending: 0 });
  });
});
