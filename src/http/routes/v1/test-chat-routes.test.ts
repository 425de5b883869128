import { expect } from 'chai';
import type { SandboxEngine } from '../../../engines/sandbox/sandbox-engine.js';
import { inboundMessageOf, unpackTrace, type InboundMessageDoc } from '../../../store/repositories/inbound-messages.js';
import { loadInbound } from '../../../test-support/inbound-fixtures.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually } from '../../../test-support/webhook-receiver.js';

describe('HTTP test chat, rules dry run and traces', () => {
  let t: TestServer;
  let token: string;
  let id: string;

  const say = (body: Record<string, unknown>, instance = id) => t.request('POST', `/v1/instances/${instance}/sandbox/messages`, { token, json: body });
  const rule = (body: Record<string, unknown>, instance = id) => t.request('POST', `/v1/instances/${instance}/rules`, { token, json: body });
  const settings = (body: Record<string, unknown>, instance = id) => t.request('PATCH', `/v1/instances/${instance}/settings`, { token, json: body });

  before(async () => {
    t = await startTestServer();
    token = (await t.owner()).token;
    id = (await t.sandboxInstance(token, { settings: { bot_timezone: 'UTC', default_msg: 'Sorry [name], no keyword here.' } })).id;
    expect((await rule({ name: 'Prices', keywords: ['precio'], reply: { text: '{Hola|Hola} [name], see our prices' } })).status).to.equal(201);
    expect((await rule({ name: 'Any image', message_types: ['image'], reply: { text: 'Nice picture, [name]' } })).status).to.equal(201);
  });
  after(() => t.close({ cleanup: true }));

  it('answers a message end to end: trace, rendered reply, and the sandbox engine sent it', async () => {
    const res = await say({ from: '+591 71234567', push_name: 'María', text: '¿Cuál es el PRECIO del café?' });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({ replied: true, stop: null, used_default: false, kind: 'text', chat_jid: '59171234567@s.whatsapp.net' });
    expect(res.body.rule.name).to.equal('Prices');
    expect(res.body.replies).to.have.length(1);
    expect(res.body.replies[0]).to.deep.equal({ text: 'Hola María, see our prices' });
    expect(res.body.trace.map((s: { step: string }) => s.step)).to.include.members(['message', 'schedule', 'rules', 'reply']);

    expect(res.body.reply_error).to.equal(null);
    // the reply went through the outbox and the sandbox engine sent it under the outbox's WhatsApp id
    expect(res.body.reply_messages).to.have.length(1);
    const [reply] = res.body.reply_messages;
    expect(reply.status).to.be.oneOf(['sent', 'delivered']);
    const sent = (await t.app.modules.engines.sandbox.listSent(id)).filter((m) => m.jid === '59171234567@s.whatsapp.net');
    expect(sent).to.have.length(1);
    expect(sent[0].wa_message_id).to.equal(reply.wa_message_id);
    expect(sent[0].content).to.deep.include({ type: 'text', text: 'Hola María, see our prices' });
    const outbound = await t.request('GET', `/v1/instances/${id}/messages/${reply.message_id}`, { token });
    expect(outbound.body).to.deep.include({ direction: 'out', wa_message_id: reply.wa_message_id });

    const { reply_messages: _shownOnlyByTheTestChat, chat_state: _stateAfter, ...stored } = res.body;
    const byId = await t.request('GET', `/v1/instances/${id}/messages/${res.body.message_id}/trace`, { token });
    expect(byId.status).to.equal(200);
    expect(byId.body).to.deep.equal(stored);
    const byWaId = await t.request('GET', `/v1/instances/${id}/messages/${res.body.wa_message_id}/trace`, { token });
    expect(byWaId.body).to.deep.equal(stored);
  });

  it('shows messages stored in the older shape (the whole message inside, every trace step a tuple) as before', async () => {
    const res = await say({ from: '59171234570', push_name: 'Eva', text: 'precio?' });
    const messages = t.app.modules.store.collection<InboundMessageDoc>('messages');
    const doc = (await messages.findOne({ _id: res.body.message_id }))!;
    const listed = await t.request('GET', `/v1/instances/${id}/messages/${doc._id}`, { token });
    const older: InboundMessageDoc = { ...doc, message: inboundMessageOf(doc), trace: unpackTrace(doc.trace).map((s) => [s.step, s.result, s.detail]) };
    await messages.deleteOne({ _id: doc._id });
    await messages.insertOne(older);

    const { reply_messages: _shownOnlyByTheTestChat, chat_state: _stateAfter, ...view } = res.body;
    for (const ref of [doc._id, res.body.wa_message_id]) {
      const trace = await t.request('GET', `/v1/instances/${id}/messages/${ref}/trace`, { token });
      expect(trace.status).to.equal(200);
      expect(trace.body).to.deep.equal(view);
    }
    expect((await t.request('GET', `/v1/instances/${id}/messages/${doc._id}`, { token })).body).to.deep.equal(listed.body);
  });

  it('marks the messages it answers as read only with actions.read_messages (off by default)', async () => {
    const sandbox = () => t.app.modules.engines.engines.get(id) as SandboxEngine;
    const before = await say({ from: '59171234580', text: 'precio?' });
    await new Promise((r) => setTimeout(r, 50));
    expect(sandbox().wasRead(before.body.wa_message_id)).to.equal(false);
    expect((await settings({ actions: { read_messages: true } })).body.actions.read_messages).to.equal(true);
    const answered = await say({ from: '59171234580', text: 'precio?' });
    await eventually(async () => sandbox().wasRead(answered.body.wa_message_id));
    expect((await settings({ actions: { read_messages: false } })).status).to.equal(200);
  });

  it('sends the default message when nothing matches', async () => {
    const res = await say({ from: '59171234568', text: 'hello?' });
    expect(res.body).to.deep.include({ replied: true, used_default: true, rule: null });
    expect(res.body.replies[0]).to.deep.equal({ text: 'Sorry 59171234568, no keyword here.' });
  });

  it('answers non-text content with a rule for its type', async () => {
    const res = await say({ from: '59171234569', push_name: 'Ana', content: { type: 'image', mimetype: 'image/png' } });
    expect(res.status).to.equal(201);
    expect(res.body.kind).to.equal('image');
    expect(res.body.rule.name).to.equal('Any image');
    expect(res.body.replies[0]).to.deep.equal({ text: 'Nice picture, Ana' });
  });

  it('never answers reactions, but stores them', async () => {
    const res = await say({ from: '59171234569', content: { type: 'reaction', emoji: '👍', target_id: 'ABC' } });
    expect(res.body).to.deep.include({ replied: false, stop: 'not_answerable', kind: 'reaction' });
    expect(res.body.replies).to.deep.equal([]);
  });

  it('applies settings changes at once: flags, groups, unread, schedule, webhooks', async () => {
    const inst = (await t.sandboxInstance(token, { settings: { bot_timezone: 'UTC' } })).id;
    expect((await rule({ name: 'Hi', keywords: ['hi'], reply: { text: 'hello' } }, inst)).status).to.equal(201);

    expect((await say({ from: '59170000001', text: 'hi', group: '120363025246125486' }, inst)).body).to.deep.include({ replied: true, chat_jid: '120363025246125486@g.us' });
    await settings({ actions: { reply_group_msgs: false } }, inst);
    expect((await say({ from: '59170000001', text: 'hi', group: '120363025246125486@g.us' }, inst)).body.stop).to.equal('group_msgs_off');

    await settings({ actions: { reply_unread_msgs: false } }, inst);
    expect((await say({ from: '59170000002', text: 'hi', unread: true }, inst)).body.stop).to.equal('unread_msgs_off');
    expect((await say({ from: '59170000003', text: 'hi' }, inst)).body.replied).to.equal(true);

    await settings({ actions: { send_webhook: true }, active_days: { monday: false, tuesday: false, wednesday: false, thursday: false, friday: false, saturday: false, sunday: false } }, inst);
    const closed = await say({ from: '59170000004', text: 'hi' }, inst);
    expect(closed.body).to.deep.include({ replied: false, stop: 'outside_schedule' });
    expect(closed.body.events).to.deep.equal(['message.received', 'message.any']);

    await settings({ active_days: { monday: true, tuesday: true, wednesday: true, thursday: true, friday: true, saturday: true, sunday: true }, actions: { reply_msgs: false } }, inst);
    expect((await say({ from: '59170000005', text: 'hi' }, inst)).body.stop).to.equal('reply_msgs_off');

    await settings({ actions: { reply_msgs: true, multi_device: false } }, inst);
    expect((await say({ from: '59170000006', text: 'hi', from_me: true }, inst)).body.stop).to.equal('from_me');
    await settings({ actions: { multi_device: true } }, inst);
    expect((await say({ from: '59170000006', text: 'hi', from_me: true }, inst)).body.replied).to.equal(true);
  });

  it('applies rule changes at once, and keeps cooldowns per chat', async () => {
    const inst = (await t.sandboxInstance(token)).id;
    expect((await say({ from: '59170000010', text: 'menu please' }, inst)).body.used_default).to.equal(true);
    const created = await rule({ name: 'Menu', keywords: ['menu'], cooldown_seconds: 3600, reply: { text: 'Here is the menu' } }, inst);
    const first = await say({ from: '59170000010', text: 'menu please' }, inst);
    expect(first.body.rule.name).to.equal('Menu');
    const again = await say({ from: '59170000010', text: 'menu again' }, inst);
    expect(again.body).to.deep.include({ replied: false, stop: 'cooldown' });
    expect((await say({ from: '59170000011', text: 'menu' }, inst)).body.rule.name).to.equal('Menu');

    await t.request('PATCH', `/v1/instances/${inst}/rules/${created.body.id}`, { token, json: { enabled: false } });
    expect((await say({ from: '59170000012', text: 'menu' }, inst)).body.used_default).to.equal(true);
  });

  it('does not answer another bot echoing our reply', async () => {
    const first = await say({ from: '59170000020', push_name: 'EchoBot', text: 'precio' });
    const replyText = first.body.replies[0].text as string;
    const echo = await say({ from: '59170000020', text: replyText });
    expect(echo.body).to.deep.include({ replied: false, stop: 'echo' });
  });

  it('processes every message of one engine batch', async () => {
    const engine = t.app.modules.engines.engines.get(id) as SandboxEngine;
    const batch = ['b1', 'b2', 'b3'].map((suffix, i) =>
      loadInbound('text-private', { instance_id: id, wa_message_id: `BATCH${suffix}`, chat_jid: `5917000003${i}@s.whatsapp.net`, sender_jid: `5917000003${i}@s.whatsapp.net`, sender_phone: `5917000003${i}` }),
    );
    await engine.inject(batch);
    for (const m of batch) {
      const res = await t.request('GET', `/v1/instances/${id}/messages/${m.wa_message_id}/trace`, { token });
      expect(res.status, m.wa_message_id).to.equal(200);
      expect(res.body.rule.name).to.equal('Prices');
    }
    // a redelivery of the same WhatsApp id is not answered again
    const before = await t.app.modules.engines.sandbox.countSent(id);
    await engine.inject([batch[0]]);
    expect(await t.app.modules.engines.sandbox.countSent(id)).to.equal(before);
  });

  it('dry-runs any instance without sending or storing anything', async () => {
    const created = await t.request('POST', '/v1/instances', { token, json: { engine: 'baileys' } });
    const baileysId = created.body.id;
    await rule({ name: 'Prices', keywords: ['precio'], reply: { text: 'Prices for [name]' } }, baileysId);
    const res = await t.request('POST', `/v1/instances/${baileysId}/rules/test`, { token, json: { from: '59171234567', push_name: 'Leo', text: 'precio?' } });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ message_id: null, replied: true });
    expect(res.body.replies[0]).to.deep.equal({ text: 'Prices for Leo' });
    expect((await t.request('GET', `/v1/instances/${baileysId}/messages/${res.body.wa_message_id}/trace`, { token })).status).to.equal(404);

    const sandboxCount = await t.app.modules.engines.sandbox.countSent(id);
    const dry = await t.request('POST', `/v1/instances/${id}/rules/test`, { token, json: { from: '59171234567', text: 'precio' } });
    expect(dry.body.replied).to.equal(true);
    expect(await t.app.modules.engines.sandbox.countSent(id)).to.equal(sandboxCount);

    const notSandbox = await say({ from: '59171234567', text: 'precio' }, baileysId);
    expect(notSandbox.status).to.equal(409);
  });

  it('rejects bad test-chat input with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ text: 'hi' }, 'body.from'],
      [{ from: '12', text: 'hi' }, 'body.from'],
      [{ from: '120363025246125486@g.us', text: 'hi' }, 'body.from'],
      [{ from: '59171234567' }, 'body.text'],
      [{ from: '59171234567', text: '' }, 'body.text'],
      [{ from: '59171234567', text: 'hi', group: 'not a group' }, 'body.group'],
      [{ from: '59171234567', content: { type: 'hologram' } }, 'body.content.type'],
      [{ from: '59171234567', content: { type: 'location', lat: 91, lng: 0 } }, 'body.content.lat'],
      [{ from: '59171234567', text: 'x', content: { type: 'reaction', emoji: '👍', target_id: 'A' } }, 'body.text'],
      [{ from: '59171234567', text: 'hi', unread: 'yes' }, 'body.unread'],
      [{ from: '59171234567', text: 'hi', colour: 'red' }, 'body.colour'],
    ];
    for (const [body, field] of cases) {
      for (const path of [`/v1/instances/${id}/sandbox/messages`, `/v1/instances/${id}/rules/test`]) {
        const res = await t.request('POST', path, { token, json: body });
        expect(res.status, `${path} ${JSON.stringify(body)}`).to.equal(400);
        expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(body)).to.include(field);
      }
    }
    expect((await t.request('GET', `/v1/instances/${id}/messages/nope/trace`, { token })).status).to.equal(404);
    const stranger = (await t.owner('stranger')).token;
    expect((await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token: stranger, json: { from: '59171234567', text: 'hi' } })).status).to.equal(404);
  });
});
