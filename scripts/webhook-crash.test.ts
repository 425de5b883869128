/**
 * Kills the real server process with SIGKILL while webhook deliveries are
 * pending (some failed and waiting for a retry, some in flight), starts it
 * again on the same data directory, and checks that every acknowledged event
 * reaches the receiver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { callServer, startChildServer, type ChildServer } from '../src/test-support/child-server.js';
import { eventually, WebhookReceiver } from '../src/test-support/webhook-receiver.js';


const startServer = (dataDir: string) => startChildServer(dataDir, { TUCAN_ALLOW_LOOPBACK_URLS: 'true', TUCAN_WEBHOOK_RETRY_SCHEDULE: Array(20).fill('0.3').join(','), TUCAN_WEBHOOK_TIMEOUT_MS: '30000' }, 20_000);

describe('webhook deliveries survive SIGKILL', function () {
  this.timeout(90_000);
  let dataDir: string;
  let receiver: WebhookReceiver;
  let server: ChildServer | null = null;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-crash-'));
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    server?.child.kill('SIGKILL');
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes pending and in-flight deliveries after a restart on the same data directory', async () => {
    // the first attempts fail; later ones hang, so some deliveries are in flight when the process dies
    let never: () => void = () => {};
    const hang = new Promise<void>((resolve) => (never = resolve));
    receiver.respond = (req) => (req.n <= 6 ? { status: 500 } : { status: 200, hold: hang });

    server = await startServer(dataDir);
    const username = `crash${process.pid}`;
    const reg = await callServer(server, 'POST', '/v1/auth/register', undefined, { name: 'Crash', phone: '+59171234567', email: `${username}@example.com`, username, password: 'a long password' });
    expect(reg.status, reg.text).to.equal(201);
    const token = (await callServer(server, 'POST', '/v1/auth/login', undefined, { username, password: 'a long password' })).body.token as string;
    const instance = (await callServer(server, 'POST', '/v1/instances', token, { engine: 'sandbox' })).body;
    expect((await callServer(server, 'POST', `/v1/instances/${instance.id}/connect`, token)).status).to.equal(202);
    const sub = await callServer(server, 'POST', `/v1/instances/${instance.id}/webhooks`, token, { url: receiver.url, events: ['connection.update'] });
    expect(sub.status, sub.text).to.equal(201);

    // each restart records a disconnected and a connected event; the 202 comes after they are durable
    for (let i = 0; i < 4; i++) expect((await callServer(server, 'POST', `/v1/instances/${instance.id}/restart`, token)).status).to.equal(202);
    const list = `/v1/instances/${instance.id}/webhooks/${sub.body.id}/deliveries?limit=100`;
    const acknowledged = (await callServer(server, 'GET', list, token)).body.deliveries as { event_id: string }[];
    expect(acknowledged).to.have.length(8);
    await receiver.waitFor(8);

    server.child.kill('SIGKILL');
    await new Promise((resolve) => server!.child.once('exit', resolve));
    never();
    receiver.respond = () => ({ status: 204 });
    const before = receiver.requests.length;

    server = await startServer(dataDir);
    const wanted = new Set(acknowledged.map((d) => d.event_id));
    await eventually(async () => {
      const answered = new Set(receiver.requests.slice(before).map((r) => String(r.headers['webhook-id'])));
      return [...wanted].every((id) => answered.has(id));
    }, 30_000);
    // outcomes are recorded just after the answers arrive
    await eventually(async () => {
      const after = (await callServer(server!, 'GET', list, token)).body.deliveries as { event_id: string; status: string }[];
      return [...wanted].every((id) => after.find((d) => d.event_id === id)?.status === 'delivered');
    }, 10_000);
  });
});
