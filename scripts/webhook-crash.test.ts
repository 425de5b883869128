/**
 * Kills the real server process with SIGKILL while webhook deliveries are
 * pending (some failed and waiting for a retry, some in flight), starts it
 * again on the same data directory, and checks that every acknowledged event
 * reaches the receiver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { eventually, WebhookReceiver } from '../src/test-support/webhook-receiver.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Server {
  child: ChildProcess;
  url: string;
}

function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TUCAN_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      TUCAN_ALLOW_LOOPBACK_URLS: 'true',
      TUCAN_WEBHOOK_RETRY_SCHEDULE: Array(20).fill('0.3').join(','),
      TUCAN_WEBHOOK_TIMEOUT_MS: '30000',
      LOG_LEVEL: 'info',
      TUCAN_LOG_PRETTY: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 20_000);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'tucan is listening' && entry.url) {
          clearTimeout(timer);
          resolve({ child, url: entry.url });
        }
      } catch {
        // not a log line
      }
    });
    child.stderr!.resume();
  });
}

async function call(server: Server, method: string, p: string, token?: string, json?: unknown) {
  const res = await fetch(server.url + p, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

describe('webhook deliveries survive SIGKILL', function () {
  this.timeout(90_000);
  let dataDir: string;
  let receiver: WebhookReceiver;
  let server: Server | null = null;

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
    const reg = await call(server, 'POST', '/v1/auth/register', undefined, { name: 'Crash', phone: '+59171234567', email: `${username}@example.com`, username, password: 'a long password' });
    expect(reg.status, reg.text).to.equal(201);
    const token = (await call(server, 'POST', '/v1/auth/login', undefined, { username, password: 'a long password' })).body.token as string;
    const instance = (await call(server, 'POST', '/v1/instances', token, { engine: 'sandbox' })).body;
    expect((await call(server, 'POST', `/v1/instances/${instance.id}/connect`, token)).status).to.equal(202);
    const sub = await call(server, 'POST', `/v1/instances/${instance.id}/webhooks`, token, { url: receiver.url, events: ['connection.update'] });
    expect(sub.status, sub.text).to.equal(201);

    // each restart records a disconnected and a connected event; the 202 comes after they are durable
    for (let i = 0; i < 4; i++) expect((await call(server, 'POST', `/v1/instances/${instance.id}/restart`, token)).status).to.equal(202);
    const list = `/v1/instances/${instance.id}/webhooks/${sub.body.id}/deliveries?limit=100`;
    const acknowledged = (await call(server, 'GET', list, token)).body.deliveries as { event_id: string }[];
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
      const after = (await call(server!, 'GET', list, token)).body.deliveries as { event_id: string; status: string }[];
      return [...wanted].every((id) => after.find((d) => d.event_id === id)?.status === 'delivered');
    }, 10_000);
  });
});
