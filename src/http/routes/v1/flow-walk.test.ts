import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxEngine } from '../../../engines/sandbox/sandbox-engine.js';
import { SandboxEngine as Sandbox } from '../../../engines/sandbox/sandbox-engine.js';
import { buildSandboxMessage } from '../../../engines/sandbox/sandbox-input.js';
import { flowDocument } from '../../../test-support/flows.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../../../test-support/webhook-receiver.js';

const FLOW_EVENTS = ['flow.completed', 'flow.abandoned', 'chat.paused', 'chat.resumed'];
const MENU = '¿Qué deseas, Eva?\n1 Pizza\n2 Hamburguesa';

describe('conversation flows through the sandbox, end to end', function () {
  this.timeout(60_000);
  let t: TestServer;
  let token: string;
  let id: string;
  let receiver: WebhookReceiver;
  let now = Date.UTC(2026, 11, 1, 15, 0);
  const clock = () => now;
  let phones = 59171000000;

  const say = (from: string, text: string, extra: Record<string, unknown> = {}) =>
    t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from, push_name: 'Eva', text, ...extra } });
  const sandbox = () => t.app.modules.engines.engines.get(id) as SandboxEngine;
  const sentTo = async (phone: string) => (await t.app.modules.engines.sandbox.listSent(id)).filter((m) => m.jid === `${phone}@s.whatsapp.net`).map((m) => (m.content as { text?: string }).text ?? m.content.type);
  const events = (phone: string) =>
    receiver.requests
      .map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> })
      .filter((e) => FLOW_EVENTS.includes(e.type) && (e.data.phone === phone || e.data.chat_jid === `${phone}@s.whatsapp.net`));
  const nextPhone = () => String(++phones);

  before(async () => {
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true, fetchTimeoutMs: 2000 } }, app: { clock } });
    token = (await t.owner()).token;
    id = (await t.sandboxInstance(token, { settings: { bot_timezone: 'America/La_Paz', default_msg: 'Sin palabra clave.' } })).id;
    receiver = await WebhookReceiver.start();
    const hook = await t.request('POST', `/v1/instances/${id}/webhooks`, { token, json: { url: receiver.url, events: FLOW_EVENTS } });
    expect(hook.status, hook.text).to.equal(201);
    const flow = await t.request('POST', `/v1/instances/${id}/flows`, { token, json: flowDocument() });
    expect(flow.status, flow.text).to.equal(201);
  });
  after(async () => {
    await receiver.close();
    await t.close({ cleanup: true });
  });

  it('walks the order flow with exactly the replies it describes, and flow.completed carries item, qty and address', async () => {
    const phone = nextPhone();
    const answers = ['quiero hacer un pedido', 'tres', '1', '50', '2', 'abc', 'Calle Sucre 123'];
    const shown: unknown[] = [];
    for (const text of answers) {
      const res = await say(phone, text);
      expect(res.status, res.text).to.equal(201);
      shown.push(res.body.chat_state.flow?.step ?? null);
    }
    expect(await sentTo(phone)).to.deep.equal([MENU, 'Responde 1 o 2.', '¿Cuántas pizza?', 'Un número del 1 al 20.', '¿Dirección de entrega?', '¿Dirección de entrega?', 'Gracias Eva: 2 x pizza a Calle Sucre 123.']);
    expect(shown).to.deep.equal(['menu', 'menu', 'qty', 'qty', 'address', 'address', null]);
    const completed = await eventually(async () => events(phone).find((e) => e.type === 'flow.completed'));
    expect(completed.data).to.deep.include({ flow_name: 'order', chat_jid: `${phone}@s.whatsapp.net`, phone, step: 'done' });
    expect(completed.data.variables).to.deep.equal({ item: 'pizza', qty: 2, address: 'Calle Sucre 123' });
    const header = receiver.requests.find((r) => r.body.includes('"flow.completed"'))!.headers;
    expect(header['webhook-signature']).to.match(/^v1,/);
  });

  it('the trace of each message says which flow and step answered and why an answer was refused', async () => {
    const phone = nextPhone();
    await say(phone, 'pedido');
    const refused = await say(phone, 'ninguna');
    expect(refused.body.flow).to.deep.equal({ id: refused.body.flow.id, name: 'order', step: 'menu' });
    const steps = refused.body.trace.filter((s: { step: string }) => s.step === 'flow').map((s: { detail: string }) => s.detail);
    expect(steps).to.deep.equal(["flow 'order': step 'menu': answer refused (matches none of the 2 options); attempt 1 of 3"]);
    expect(refused.body.chat_state.flow).to.deep.include({ step: 'menu', attempts: 1, variables: {} });
  });

  it('a dry run shows the next state and never changes the chat', async () => {
    const phone = nextPhone();
    await say(phone, 'pedido');
    const dry = await t.request('POST', `/v1/instances/${id}/rules/test`, { token, json: { from: phone, push_name: 'Eva', text: '2' } });
    expect(dry.status).to.equal(200);
    expect(dry.body.replies).to.deep.equal([{ text: '¿Cuántas hamburguesa?' }]);
    expect(dry.body.chat_state.flow).to.deep.include({ step: 'qty', variables: { item: 'hamburguesa' } });
    const chat = await t.request('GET', `/v1/instances/${id}/chats/${phone}`, { token });
    expect(chat.body.flow).to.deep.include({ step: 'menu', variables: {} });
  });

  it('the exit keyword leaves the flow with flow.abandoned (exit)', async () => {
    const phone = nextPhone();
    await say(phone, 'pedido');
    await say(phone, '1');
    const res = await say(phone, 'cancelar por favor');
    expect(res.body.stop).to.equal('flow_no_reply');
    const abandoned = await eventually(async () => events(phone).find((e) => e.type === 'flow.abandoned'));
    expect(abandoned.data).to.deep.include({ reason: 'exit', step: 'qty' });
    expect(abandoned.data.variables).to.deep.equal({ item: 'pizza' });
  });

  it('max_attempts ends the flow with the timeout message', async () => {
    const phone = nextPhone();
    for (const text of ['pedido', 'a', 'b', 'c']) await say(phone, text);
    expect(await sentTo(phone)).to.deep.equal([MENU, 'Responde 1 o 2.', 'Responde 1 o 2.', 'Pedido cancelado por inactividad.']);
    expect((await eventually(async () => events(phone).find((e) => e.type === 'flow.abandoned'))).data.reason).to.equal('max_attempts');
  });

  it('a chat that stops answering times out from the store: timeout message and flow.abandoned (timeout)', async () => {
    const phone = nextPhone();
    await say(phone, 'pedido');
    await say(phone, '2');
    now += 9 * 60_000;
    expect(await t.app.modules.bot.dueChats.runOnce()).to.equal(0);
    now += 2 * 60_000;
    expect(await t.app.modules.bot.dueChats.runOnce()).to.be.at.least(1);
    await eventually(async () => (await sentTo(phone)).at(-1) === 'Pedido cancelado por inactividad.');
    const abandoned = await eventually(async () => events(phone).find((e) => e.type === 'flow.abandoned'));
    expect(abandoned.data).to.deep.include({ reason: 'timeout', step: 'qty' });
    expect((await t.request('GET', `/v1/instances/${id}/chats/${phone}`, { token })).body.flow).to.equal(null);
    expect(await t.app.modules.bot.dueChats.runOnce()).to.equal(0);
  });

  it('50 messages injected at once into one chat walk the flow exactly as they do one by one', async () => {
    // every reply depends on the answer before it, so any reordering shows
    const loop = {
      name: 'numbers',
      trigger: { keywords: ['numeros'], match: 'exact' },
      start: 'pick',
      steps: [
        { id: 'pick', send: { text: 'Elige 1 o 2 (tenías [var.n])' }, expect: { type: 'choice', options: [{ match: ['fin'], next: 'bye' }, { match: ['1'], set: { n: 1 }, next: 'number' }, { match: ['2'], set: { n: 2 }, next: 'number' }], invalid: { text: 'Solo 1 o 2 (tenías [var.n])' }, max_attempts: 20 } },
        { id: 'number', send: { text: 'Un número mayor que [var.n]' }, expect: { type: 'number', save_as: 'n', next: 'pick', invalid: { text: 'No es un número; tenías [var.n]' }, max_attempts: 20 } },
        { id: 'bye', send: { text: 'Chao, terminaste con [var.n]' }, end: true },
      ],
    };
    expect((await t.request('POST', `/v1/instances/${id}/flows`, { token, json: loop })).status).to.equal(201);
    const script = ['1', '5', '2', 'x', '8', 'y', '1', '13', '2', '21'];
    const texts = ['numeros', ...Array.from({ length: 48 }, (_, i) => script[i % script.length]), 'fin'];
    const [one, atOnce, batch] = [nextPhone(), nextPhone(), nextPhone()];
    for (const text of texts) await say(one, text);
    const message = (phone: string, text: string) => buildSandboxMessage(id, { from: phone, push_name: 'Eva', text }, Sandbox.messageId(), now);
    // 50 separate deliveries in the same instant, and one batch of 50
    await Promise.all(texts.map((text) => sandbox().inject([message(atOnce, text)])));
    await sandbox().inject(texts.map((text) => message(batch, text)));
    const expected = await sentTo(one);
    expect(expected).to.have.length(50);
    expect(expected.at(-1)).to.equal('Chao, terminaste con 13');
    await eventually(async () => (await sentTo(atOnce)).length >= expected.length && (await sentTo(batch)).length >= expected.length);
    expect(await sentTo(atOnce)).to.deep.equal(expected);
    expect(await sentTo(batch)).to.deep.equal(expected);
  });

  it("replies leave in the order of the messages they answer, even when an earlier one waits for its media", async () => {
    const png = fs.readFileSync(new URL('../../../../fixtures/media/pixel.png', import.meta.url));
    const slow = http.createServer((_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(png), 400));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/menu.png`;
      const pictured = {
        name: 'pictured',
        trigger: { keywords: ['carta'], match: 'exact' },
        start: 'menu',
        steps: [
          { id: 'menu', send: { image: { url }, caption: 'La carta' }, expect: { type: 'text', save_as: 'choice', next: 'done' } },
          { id: 'done', send: { text: 'Anotado: [var.choice]' }, end: true },
        ],
      };
      expect((await t.request('POST', `/v1/instances/${id}/flows`, { token, json: pictured })).status).to.equal(201);
      const phone = nextPhone();
      const message = (text: string) => buildSandboxMessage(id, { from: phone, push_name: 'Eva', text }, Sandbox.messageId(), now);
      await Promise.all([sandbox().inject([message('carta')]), sandbox().inject([message('sopa')])]);
      await eventually(async () => (await sentTo(phone)).length >= 2);
      expect(await sentTo(phone)).to.deep.equal(['image', 'Anotado: sopa']);
    } finally {
      slow.close();
    }
  });

  it("keeps a media answer as a stored file: the variable and flow.completed name its media id", async () => {
    const photo = {
      name: 'photo',
      trigger: { keywords: ['foto'], match: 'exact' },
      start: 'ask',
      steps: [
        { id: 'ask', send: { text: 'Envíame la foto' }, expect: { type: 'media', media_types: ['image'], save_as: 'photo', next: 'thanks', invalid: { text: 'Solo una imagen, por favor' } } },
        { id: 'thanks', send: { text: 'Recibida' }, end: true },
      ],
    };
    expect((await t.request('POST', `/v1/instances/${id}/flows`, { token, json: photo })).status).to.equal(201);
    const phone = nextPhone();
    await say(phone, 'foto');
    expect((await say(phone, 'no tengo')).body.replies).to.deep.equal([{ text: 'Solo una imagen, por favor' }]);
    const png = fs.readFileSync(new URL('../../../../fixtures/media/pixel.png', import.meta.url)).toString('base64');
    const sent = await say(phone, 'mi foto', { content: { type: 'image', mimetype: 'image/png', base64: png } });
    expect(sent.status, sent.text).to.equal(201);
    const completed = await eventually(async () => events(phone).find((e) => e.type === 'flow.completed'));
    const mediaId = (completed.data.variables as { photo: string }).photo;
    expect(mediaId).to.match(/^[0-9a-f]{24}$/).and.not.equal(sent.body.message_id);
    const stored = await t.request('GET', `/v1/instances/${id}/media/${mediaId}`, { token });
    expect(stored.status, stored.text).to.equal(200);
    expect(stored.body).to.deep.include({ mimetype: 'image/png' });

    // without the bytes (a phone's message the engine cannot download), the variable keeps the message's id
    const other = nextPhone();
    await say(other, 'foto');
    const bare = await say(other, 'sin archivo', { content: { type: 'image', mimetype: 'image/png' } });
    const fallback = await eventually(async () => events(other).find((e) => e.type === 'flow.completed'));
    expect((fallback.data.variables as { photo: string }).photo).to.equal(bare.body.message_id);
  });

  it('1,000 chats at once each complete the 4-step flow', async () => {
    const phones = Array.from({ length: 1000 }, () => nextPhone());
    const messages = phones.flatMap((phone) => ['pedido', '2', '4', `Avenida ${phone}`].map((text) => buildSandboxMessage(id, { from: phone, push_name: 'Eva', text }, Sandbox.messageId(), now)));
    // all 4,000 at once, in concurrent deliveries of 100
    await Promise.all(Array.from({ length: 40 }, (_, i) => sandbox().inject(messages.slice(i * 100, (i + 1) * 100))));
    const done = await eventually(async () => {
      const sent = await t.app.modules.engines.sandbox.listSent(id);
      const finals = sent.filter((m) => phones.includes(m.jid.split('@')[0]) && /^Gracias Eva: 4 x hamburguesa a Avenida \d+\.$/.test((m.content as { text?: string }).text ?? ''));
      return finals.length === 1000 && finals;
    }, 40_000);
    expect(new Set(done.map((m) => m.jid)).size).to.equal(1000);
    for (const m of done) expect((m.content as { text: string }).text).to.equal(`Gracias Eva: 4 x hamburguesa a Avenida ${m.jid.split('@')[0]}.`);
    const completed = await eventually(async () => {
      const n = receiver.requests.filter((r) => r.body.includes('"flow.completed"') && phones.some((p) => r.body.includes(`"phone":"${p}"`))).length;
      return n >= 1000 && n;
    }, 40_000);
    expect(completed).to.equal(1000);
  });

  describe('human takeover', () => {
    before(async () => {
      const res = await t.request('PATCH', `/v1/instances/${id}/settings`, { token, json: { takeover_minutes: 30 } });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.takeover_minutes).to.equal(30);
    });

    it('an owner message from the phone pauses the chat and ends its flow; it resumes when the pause expires', async () => {
      const phone = nextPhone();
      await say(phone, 'pedido');
      const owner = await say(phone, 'Hola Eva, te atiendo yo', { from_me: true });
      expect(owner.body.stop).to.equal('takeover');
      expect(owner.body.chat_state.paused_until).to.equal(new Date(now + 30 * 60_000).toISOString());
      const quiet = await say(phone, '1');
      expect(quiet.body.stop).to.equal('paused');
      expect(quiet.body.trace.at(-1).detail).to.match(/^paused by the owner until \d\d:\d\d America\/La_Paz: the bot stays silent in this chat$/);
      expect(await sentTo(phone)).to.deep.equal([MENU]);
      const paused = await eventually(async () => events(phone).find((e) => e.type === 'chat.paused'));
      expect(paused.data).to.deep.include({ by: 'owner_message', phone });
      expect((await eventually(async () => events(phone).find((e) => e.type === 'flow.abandoned'))).data.reason).to.equal('takeover');

      now += 31 * 60_000;
      await t.app.modules.bot.dueChats.runOnce();
      const resumed = await eventually(async () => events(phone).find((e) => e.type === 'chat.resumed'));
      expect(resumed.data).to.deep.include({ reason: 'expired', phone });
      const again = await say(phone, 'pedido');
      expect(again.body.replies).to.deep.equal([{ text: MENU }]);
    });

    it('the pause and resume routes, with their events; a chat is named by phone or JID', async () => {
      const phone = nextPhone();
      await say(phone, 'pedido');
      const paused = await t.request('POST', `/v1/instances/${id}/chats/${phone}/pause`, { token, json: { minutes: 15 } });
      expect(paused.status, paused.text).to.equal(200);
      expect(paused.body).to.deep.include({ chat_jid: `${phone}@s.whatsapp.net`, paused_by: 'api', paused_until: new Date(now + 15 * 60_000).toISOString(), flow: null });
      expect((await say(phone, '1')).body.stop).to.equal('paused');
      const read = await t.request('GET', `/v1/instances/${id}/chats/${phone}@s.whatsapp.net`, { token });
      expect(read.body.paused_by).to.equal('api');
      const resumed = await t.request('POST', `/v1/instances/${id}/chats/${phone}/resume`, { token });
      expect(resumed.body).to.deep.include({ paused_until: null, paused_by: null });
      expect((await say(phone, 'hola')).body.replies).to.deep.equal([{ text: 'Sin palabra clave.' }]);
      const kinds = await eventually(async () => {
        const e = events(phone).map((x) => `${x.type}${x.data.reason ? `:${x.data.reason}` : ''}${x.data.by ? `:${x.data.by}` : ''}`);
        return e.length >= 3 && e;
      });
      expect(kinds).to.deep.equal(['flow.abandoned:takeover', 'chat.paused:api', 'chat.resumed:api']);
    });

    it('refuses a bad chat or a bad pause with a 400 naming the field', async () => {
      const bad = await t.request('POST', `/v1/instances/${id}/chats/not-a-number/pause`, { token, json: { minutes: 5 } });
      expect(bad.status).to.equal(400);
      expect(bad.text).to.include('params.chat');
      const zero = await t.request('POST', `/v1/instances/${id}/chats/59171234567/pause`, { token, json: { minutes: 0 } });
      expect(zero.status).to.equal(400);
      expect(zero.text).to.include('body.minutes');
    });

    it("another owner's instance answers 404", async () => {
      const other = (await t.owner('intruder')).token;
      const res = await t.request('POST', `/v1/instances/${id}/chats/59171234567/pause`, { token: other, json: { minutes: 5 } });
      expect(res.status).to.equal(404);
    });
  });
});

describe('conversation flows across a restart', function () {
  this.timeout(60_000);

  it('a restart mid-flow continues where the chat was, and its timeout still fires', async () => {
    let now = Date.UTC(2026, 11, 1, 15, 0);
    const clock = () => now;
    let t = await startTestServer({ app: { clock } });
    const token = (await t.owner()).token;
    const { id } = await t.sandboxInstance(token, { settings: { bot_timezone: 'UTC' } });
    expect((await t.request('POST', `/v1/instances/${id}/flows`, { token, json: flowDocument() })).status).to.equal(201);
    const say = (from: string, text: string) => t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from, push_name: 'Eva', text } });
    await say('59172000001', 'pedido');
    await say('59172000001', '2');
    await say('59172000002', 'pedido');
    await t.close();

    t = await startTestServer({ dataDir: t.dataDir, app: { clock } });
    await eventually(async () => (await t.request('GET', `/v1/instances/${id}/status`, { token })).body?.status === 'connected');
    const res = await say('59172000001', '7');
    expect(res.body.replies).to.deep.equal([{ text: '¿Dirección de entrega?' }]);
    expect(res.body.chat_state.flow.variables).to.deep.equal({ item: 'hamburguesa', qty: 7 });
    now += 11 * 60_000;
    await t.app.modules.bot.dueChats.runOnce();
    const texts = async () => (await t.app.modules.engines.sandbox.listSent(id)).filter((m) => m.jid === '59172000002@s.whatsapp.net').map((m) => (m.content as { text: string }).text);
    await eventually(async () => (await texts()).length >= 2);
    expect(await texts()).to.deep.equal(['¿Qué deseas, Eva?\n1 Pizza\n2 Hamburguesa', 'Pedido cancelado por inactividad.']);
    await t.close({ cleanup: true });
  });
});
