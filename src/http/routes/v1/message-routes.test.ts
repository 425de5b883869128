import fs from 'node:fs';
import { expect } from 'chai';
import type { SendRequest } from '../../../engines/engine.js';
import { SandboxEngine } from '../../../engines/sandbox/sandbox-engine.js';
import type { SandboxRecord } from '../../../engines/sandbox/sandbox-record.js';
import { newId } from '../../../store/port.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

const TO = '573001234567';
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

async function until<T>(check: () => Promise<T | null | false | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('HTTP messages', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  let instanceToken: string;
  const post = (json: unknown, headers: Record<string, string> = {}) => t.request('POST', `/v1/instances/${id}/messages`, { token, json, headers });

  before(async () => {
    t = await startTestServer();
    ({ token } = await t.owner());
    ({ id, token: instanceToken } = await t.sandboxInstance(token));
  });
  after(async () => t.close({ cleanup: true }));

  it('sends a text and answers once WhatsApp has it', async () => {
    const res = await post({ to: '+57 300 123 4567', text: 'hola', mentions: ['+57 300 123 4568'] });
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ to: TO, direction: 'out', kind: 'text', text: 'hola' });
    expect(res.body.status).to.be.oneOf(['sent', 'delivered']);
    expect(res.body.id).to.match(/^[0-9a-f]{24}$/);
    expect(res.body.wa_message_id).to.match(/^3EB0[0-9A-F]+$/);
    expect(Date.parse(res.body.timestamp)).to.be.a('number');
    expect(res.headers.get('location')).to.equal(`/v1/instances/${id}/messages/${res.body.id}`);
    const recorded = await t.app.modules.engines.sandbox.sentById(id, res.body.wa_message_id);
    expect(recorded!.content).to.deep.include({ type: 'text', text: 'hola', mentions: ['573001234568@s.whatsapp.net'] });

    const one = await t.request('GET', `/v1/instances/${id}/messages/${res.body.id}`, { apiKey: instanceToken });
    expect(one.status).to.equal(200);
    expect(one.body).to.include({ id: res.body.id, wa_message_id: res.body.wa_message_id });
    expect(one.body.content).to.deep.equal({ text: 'hola', mentions: ['573001234568@s.whatsapp.net'] });
  });

  it('sends every content type through the same API', async () => {
    const bodies = [
      { location: { lat: -16.5, lng: -68.15, name: 'La Paz', address: 'Plaza Murillo' } },
      { contact: { full_name: 'Ana Pérez', organization: 'Tienda', phone: '+591 71234567' } },
      { poll: { name: 'Lunch?', options: ['Pizza', 'Salad'], selectable_count: 1 } },
      { list: { text: 'Menu', button_text: 'Choose', sections: [{ title: 'Food', rows: [{ id: 'p', title: 'Pizza', description: 'cheesy' }] }] } },
      { image: { base64: fs.readFileSync('fixtures/media/pixel.png').toString('base64'), mimetype: 'image/png' }, caption: 'a pixel' },
    ];
    for (const body of bodies) {
      const res = await post({ to: TO, ...body });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    const sent = (await t.app.modules.engines.sandbox.listSent(id)).slice(-5).map((s) => s.content);
    expect(sent[0]).to.include({ type: 'location', lat: -16.5, name: 'La Paz' });
    expect(sent[1]).to.deep.include({ type: 'contact', contact: { full_name: 'Ana Pérez', organization: 'Tienda', phone: '+591 71234567' } });
    expect(sent[2]).to.deep.include({ type: 'poll', options: ['Pizza', 'Salad'], selectable_count: 1 });
    expect(sent[3]).to.include({ type: 'text' });
    expect(sent[3].text).to.include('1. Pizza — cheesy').and.include('Choose: reply with the number');
    expect(sent[4]).to.include({ type: 'image', caption: 'a pixel' });
    expect(sent[4].media).to.include({ mimetype: 'image/png', size: fs.statSync('fixtures/media/pixel.png').size });
  });

  it('takes a multipart upload', async () => {
    const form = new FormData();
    form.set('to', TO);
    form.set('caption', 'the doc');
    form.set('file', new Blob([fs.readFileSync('fixtures/media/doc.pdf')], { type: 'application/pdf' }), 'report.pdf');
    const res = await t.request('POST', `/v1/instances/${id}/messages`, { token, body: form });
    expect(res.status, res.text).to.equal(201);
    expect(res.body).to.include({ kind: 'document', text: 'the doc' });
    const recorded = await t.app.modules.engines.sandbox.sentById(id, res.body.wa_message_id);
    expect(recorded!.content).to.deep.include({ type: 'document', caption: 'the doc', filename: 'report.pdf' });
    expect(recorded!.content.media).to.include({ mimetype: 'application/pdf' });
  });

  it('answers every bad input with a 4xx naming the field, and queues nothing', async () => {
    const before = await t.request('GET', `/v1/instances/${id}/messages?limit=1`, { token });
    const cases: [unknown, number, string][] = [
      [{ to: '12345', text: 'x' }, 400, 'body.to'],
      [{ to: 'someone@example.com', text: 'x' }, 400, 'body.to'],
      [{ to: { code: '5', phone: '3001234567' }, text: 'x' }, 400, 'body.to'],
      [{ to: TO, location: { lat: 123, lng: 0 } }, 400, 'body.location.lat'],
      [{ to: TO, text: 'x', image: { url: 'https://example.com/a.jpg' } }, 400, 'body'],
      [{ to: TO }, 400, 'body'],
      [{ to: TO, text: 'x', caption: 'no' }, 400, 'body.caption'],
      [{ to: TO, image: { base64: 'not base64!!', mimetype: 'image/png' } }, 400, 'body.image.base64'],
      [{ to: TO, image: { media_id: newId() } }, 400, 'body.image.media_id'],
      [{ to: TO, text: 'x', schedule_at: '2025-05-16T10:00:00' }, 400, 'body.schedule_at'],
      [{ to: TO, text: 'x', schedule_at: '2001-01-01T00:00:00Z' }, 400, 'body.schedule_at'],
      [{ to: TO, text: 'x', mentions: ['nope'] }, 400, 'body.mentions.0'],
      [{ to: TO, text: 'x', reply_to: newId() }, 400, 'body.reply_to'],
      [{ to: TO, contact: { contact_id: newId() } }, 400, 'body.contact.contact_id'],
      [{ to: TO, text: 'x', ptt: true }, 400, 'body.ptt'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).to.equal(status);
      expect(res.body.errors?.map((e: { field: string }) => e.field) ?? [], JSON.stringify(res.body)).to.include(field);
    }
    // refusals of media intake (wrong type, blocked URL, too large) name the media field too
    const media: [unknown, number][] = [
      [{ to: TO, image: { base64: fs.readFileSync('fixtures/media/notes.txt').toString('base64'), mimetype: 'image/png' } }, 400],
      [{ to: TO, image: { url: 'http://127.0.0.1:9/x.png' } }, 400],
      [{ to: TO, image: { url: 'http://169.254.169.254/latest/meta-data' } }, 400],
      [{ to: TO, sticker: { base64: Buffer.alloc(2 * 1024 * 1024, 1).toString('base64'), mimetype: 'image/webp' } }, 413],
    ];
    for (const [body, status] of media) {
      const res = await post(body);
      expect(res.status, JSON.stringify(res.body)).to.equal(status);
      expect(res.body.errors[0].field, JSON.stringify(res.body)).to.match(/^body\.(image|sticker)/);
    }
    const after = await t.request('GET', `/v1/instances/${id}/messages?limit=1`, { token });
    expect(after.body.pagination.total).to.equal(before.body.pagination.total);
  });

  it('refuses an offline instance with 503 unless the message is queued or scheduled', async () => {
    const offline = await t.request('POST', '/v1/instances', { token, json: { engine: 'sandbox' } });
    const oid = offline.body.id;
    const refused = await t.request('POST', `/v1/instances/${oid}/messages`, { token, json: { to: TO, text: 'x' } });
    expect(refused.status).to.equal(503);
    expect(refused.body.detail).to.match(/not connected/).and.match(/queue/);
    const queued = await t.request('POST', `/v1/instances/${oid}/messages`, { token, json: { to: TO, text: 'kept', queue: true } });
    expect(queued.status).to.equal(202);
    expect(queued.body.status).to.equal('queued');
    const scheduled = await t.request('POST', `/v1/instances/${oid}/messages`, { token, json: { to: TO, text: 'later', schedule_at: inAnHour() } });
    expect(scheduled.status).to.equal(202);
    expect(scheduled.body.status).to.equal('scheduled');
    await t.request('POST', `/v1/instances/${oid}/connect`, { token });
    await until(async () => ['sent', 'delivered'].includes((await t.request('GET', `/v1/instances/${oid}/messages/${queued.body.id}`, { token })).body.status), 'the queued message');
  });

  it('sends a scheduled message when it is due, not before', async () => {
    const at = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const res = await post({ to: TO, text: 'on time', schedule_at: at.toISOString().replace('Z', '+00:00') });
    expect(res.status).to.equal(202);
    expect(res.body).to.include({ status: 'scheduled', schedule_at: at.toISOString() });
    const sent = await until(async () => {
      const m = (await t.request('GET', `/v1/instances/${id}/messages/${res.body.id}`, { token })).body;
      return m.sent_at ? m : null;
    }, 'the scheduled send');
    expect(Date.parse(sent.sent_at)).to.be.at.least(at.getTime());
  });

  it('cancels unsent messages and refuses to cancel sent ones', async () => {
    const scheduled = await post({ to: TO, text: 'never', schedule_at: inAnHour() });
    const del = await t.request('DELETE', `/v1/instances/${id}/messages/${scheduled.body.id}`, { token });
    expect(del.status).to.equal(200);
    expect(del.body).to.include({ status: 'cancelled' });
    const sent = await post({ to: TO, text: 'gone' });
    const refused = await t.request('DELETE', `/v1/instances/${id}/messages/${sent.body.id}`, { token });
    expect(refused.status).to.equal(409);
    expect(refused.body.errors[0].field).to.equal('params.msgId');
    expect((await t.request('DELETE', `/v1/instances/${id}/messages/${newId()}`, { token })).status).to.equal(404);
  });

  it('lists both directions with filters and pagination, and hides other owners', async () => {
    await t.app.modules.store.collection<Record<string, unknown> & { _id: string }>('messages').insertOne({
      _id: newId(), instance_id: id, direction: 'in', status: 'received', wa_message_id: 'WAIN1', chat_jid: `${TO}@s.whatsapp.net`, phone: TO, kind: 'text', text: 'hi bot', created_at: Date.now(), updated_at: Date.now(),
    });
    const inbound = await t.request('GET', `/v1/instances/${id}/messages?direction=in`, { token });
    expect(inbound.status).to.equal(200);
    expect(inbound.body.messages).to.have.length(1);
    expect(inbound.body.messages[0]).to.include({ direction: 'in', status: 'received', text: 'hi bot', to: null, wa_message_id: 'WAIN1' });
    const page = await t.request('GET', `/v1/instances/${id}/messages?direction=out&page=2&limit=2`, { token });
    expect(page.body.pagination).to.include({ page: 2, limit: 2 });
    expect(page.body.pagination.pages).to.equal(Math.ceil(page.body.pagination.total / 2));
    expect(page.body.messages).to.have.length(2);
    const cancelled = await t.request('GET', `/v1/instances/${id}/messages?status=cancelled`, { token });
    expect(cancelled.body.messages.every((m: { status: string }) => m.status === 'cancelled')).to.equal(true);
    expect((await t.request('GET', `/v1/instances/${id}/messages?status=bogus`, { token })).status).to.equal(400);

    const other = await t.owner('other');
    expect((await t.request('GET', `/v1/instances/${id}/messages`, { token: other.token })).status).to.equal(404);
    expect((await t.request('POST', `/v1/instances/${id}/messages`, { token: other.token, json: { to: TO, text: 'x' } })).status).to.equal(404);
  });
});

describe('HTTP Idempotency-Key', () => {
  let t: TestServer;
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const shared: { record: SandboxRecord | null } = { record: null };

  before(async () => {
    t = await startTestServer({
      app: {
        engineFactories: {
          // a sandbox whose sends can be held, to catch a request in flight
          sandbox: (ctx) => {
            const engine = new SandboxEngine({ ...ctx, record: shared.record! });
            const send = engine.send.bind(engine);
            engine.send = async (req: SendRequest) => {
              if (gate) await gate;
              return send(req);
            };
            return engine;
          },
        },
      },
    });
    shared.record = t.app.modules.engines.sandbox;
  });
  after(async () => t.close({ cleanup: true }));

  it('replays the same key and body, refuses another body (422) and a retry in flight (409), per credential', async () => {
    const { token } = await t.owner();
    const { id, token: apiKey } = await t.sandboxInstance(token);
    const send = (json: unknown, key: string, auth: { token?: string; apiKey?: string } = { token }) => t.request('POST', `/v1/instances/${id}/messages`, { ...auth, json, headers: { 'Idempotency-Key': key } });

    const first = await send({ to: TO, text: 'once' }, 'key-1');
    expect(first.status).to.equal(201);
    const again = await send({ to: TO, text: 'once' }, '"key-1"');
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(await t.app.modules.engines.sandbox.countSent(id)).to.equal(1);

    const different = await send({ to: TO, text: 'twice?' }, 'key-1');
    expect(different.status).to.equal(422);
    expect(different.body.errors[0].field).to.equal('headers.idempotency-key');

    const otherCredential = await send({ to: TO, text: 'once' }, 'key-1', { apiKey });
    expect(otherCredential.status, 'keys are scoped per credential').to.equal(201);
    expect(otherCredential.body.id).to.not.equal(first.body.id);

    gate = new Promise((r) => (release = r));
    const inFlight = send({ to: TO, text: 'slow' }, 'key-2');
    await until(async () => (await t.request('GET', `/v1/instances/${id}/messages?status=sending`, { token })).body.messages.length === 1, 'the held send');
    const conflict = await send({ to: TO, text: 'slow' }, 'key-2');
    expect(conflict.status).to.equal(409);
    gate = null;
    release();
    expect((await inFlight).status).to.equal(201);
    expect((await send({ to: TO, text: 'slow' }, 'key-2')).status).to.equal(201);

    const invalid = await send({ to: '1', text: 'x' }, 'key-3');
    expect(invalid.status).to.equal(400);
    expect((await send({ to: TO, text: 'x' }, 'key-3')).status, 'a refused request does not burn its key').to.equal(201);
  });
});

describe('HTTP messages across restarts', () => {
  it('sends at start-up what became due while the server was down, and forgets an instance\'s messages when it is deleted', async () => {
    const first = await startTestServer();
    const { token } = await first.owner();
    const { id } = await first.sandboxInstance(token);
    const due = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000);
    const scheduled = await first.request('POST', `/v1/instances/${id}/messages`, { token, json: { to: TO, text: 'while you were out', schedule_at: due.toISOString() } });
    expect(scheduled.status).to.equal(202);
    await first.close();
    while (Date.now() < due.getTime() + 200) await new Promise((r) => setTimeout(r, 50));

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const sent = await until(async () => {
        const m = (await second.request('GET', `/v1/instances/${id}/messages/${scheduled.body.id}`, { token })).body;
        return m.sent_at ? m : null;
      }, 'the overdue message');
      expect(sent.status).to.be.oneOf(['sent', 'delivered']);
      expect(await second.app.modules.engines.sandbox.countSent(id)).to.equal(1);

      expect((await second.request('DELETE', `/v1/instances/${id}`, { token })).status).to.equal(204);
      expect(await second.app.modules.store.collection('messages').countDocuments({ instance_id: id, direction: 'out' })).to.equal(0);
    } finally {
      await second.close({ cleanup: true });
    }
  });
});
