import { expect } from 'chai';
import http from 'node:http';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually } from '../../../test-support/webhook-receiver.js';

interface Frame {
  event: string;
  id: string;
  data: { id: string; type: string; instance_id: string; timestamp: string; data: Record<string, unknown> };
}

/** A plain HTTP client reading text/event-stream: the frames so far, and the response. */
function listen(url: string, headers: Record<string, string> = {}) {
  const frames: Frame[] = [];
  let status = 0;
  let contentType = '';
  let ended = false;
  const req = http.get(url, { headers }, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type'] ?? '');
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
        if (fields.event) frames.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data) });
      }
    });
    res.on('end', () => (ended = true));
  });
  req.on('error', () => (ended = true));
  return {
    frames,
    get status() {
      return status;
    },
    get contentType() {
      return contentType;
    },
    get ended() {
      return ended;
    },
    close: () => req.destroy(),
  };
}

describe('GET /v1/instances/:id/events (server-sent events)', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  let instanceToken: string;

  before(async () => {
    t = await startTestServer();
    token = (await t.owner()).token;
    ({ id, token: instanceToken } = await t.sandboxInstance(token, { settings: { actions: { send_webhook: true } } }));
    const rule = await t.request('POST', `/v1/instances/${id}/rules`, { token, json: { name: 'Hi', keywords: ['hola'], reply: { text: 'Hola [name]' } } });
    expect(rule.status).to.equal(201);
  });
  after(() => t.close({ cleanup: true }));

  it('streams the webhook events of the instance as they happen, in their envelopes', async () => {
    const stream = listen(`${t.url}/v1/instances/${id}/events`, { authorization: `Bearer ${token}` });
    await eventually(async () => stream.status === 200);
    expect(stream.contentType).to.match(/^text\/event-stream/);
    const said = await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171234567', push_name: 'Eva', text: 'hola' } });
    expect(said.status).to.equal(201);
    await eventually(async () => stream.frames.some((f) => f.event === 'bot.replied') && stream.frames.some((f) => f.event === 'message.status'));
    const received = stream.frames.find((f) => f.event === 'message.received')!;
    expect(received.data).to.deep.include({ type: 'message.received', instance_id: id });
    expect(received.data.data).to.deep.include({ text: 'hola', from_phone: '59171234567', message_id: said.body.message_id });
    expect(received.id).to.equal(received.data.id);
    const replied = stream.frames.find((f) => f.event === 'bot.replied')!;
    expect(replied.data.data.reply_message_ids).to.deep.equal(said.body.reply_messages.map((r: { message_id: string }) => r.message_id));
    stream.close();
  });

  it('filters by type, and carries qr frames beside connection.update', async () => {
    const stream = listen(`${t.url}/v1/instances/${id}/events?types=qr,connection.update`, { authorization: `Bearer ${token}` });
    await eventually(async () => stream.status === 200);
    await t.app.modules.engines.hub.emit('connection', id, { status: 'qr', qr: '2@abc,def' });
    await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171234567', text: 'hola' } });
    await eventually(async () => stream.frames.some((f) => f.event === 'qr'));
    expect(stream.frames.map((f) => f.event)).to.deep.equal(['connection.update', 'qr']);
    expect(stream.frames[1].data.data).to.deep.equal({ qr: '2@abc,def' });
    await t.app.modules.engines.hub.emit('connection', id, { status: 'connected', phone: '59170000000' });
    await eventually(async () => stream.frames.length === 3);
    expect(stream.frames[2].data.data).to.deep.include({ status: 'connected', ready: true });
    stream.close();
    const bad = await t.request('GET', `/v1/instances/${id}/events?types=qr,nope`, { token });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include("unknown event type 'nope'");
  });

  it('takes an instance token in ?access_token= (a browser EventSource), for its own instance only', async () => {
    const own = listen(`${t.url}/v1/instances/${id}/events?access_token=${instanceToken}`);
    await eventually(async () => own.status !== 0);
    expect(own.status).to.equal(200);
    own.close();
    const other = await t.sandboxInstance(token);
    const res = await t.request('GET', `/v1/instances/${other.id}/events?access_token=${instanceToken}`);
    expect(res.status).to.be.oneOf([403, 404]);
    const none = await t.request('GET', `/v1/instances/${id}/events`);
    expect(none.status).to.equal(401);
    const stranger = (await t.owner('stranger')).token;
    expect((await t.request('GET', `/v1/instances/${id}/events`, { token: stranger })).status).to.equal(404);
  });

  it('forgets a listener that went away, and ends open streams when the server closes', async () => {
    const gone = listen(`${t.url}/v1/instances/${id}/events`, { authorization: `Bearer ${token}` });
    await eventually(async () => gone.status === 200);
    expect(t.app.modules.webhooks.sink.wants(id, 'job.progress')).to.equal(true);
    gone.close();
    await eventually(async () => !t.app.modules.webhooks.sink.wants(id, 'job.progress'));

    const server = await startTestServer();
    const owner = (await server.owner()).token;
    const inst = await server.sandboxInstance(owner);
    const open = listen(`${server.url}/v1/instances/${inst.id}/events`, { authorization: `Bearer ${owner}` });
    await eventually(async () => open.status === 200);
    await server.close({ cleanup: true });
    await eventually(async () => open.ended);
  });
});
