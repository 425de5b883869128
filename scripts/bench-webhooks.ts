/**
 * npm run bench:webhooks [-- --instances 10 --subscriptions 1 --messages 30000 --rate 500 --seconds 10 --mode auto]
 *
 * Sandbox instances, each with `subscriptions` webhook subscriptions to a
 * local receiver running in its own process (which checks every signature).
 * Every subscription gets its own signed delivery of each message. Two phases:
 *  1. throughput: inbound messages as fast as the producers go; prints
 *     signed deliveries/s (first message in → last webhook arrived);
 *  2. latency: a steady `rate` inbound messages/s for `seconds`; prints
 *     p50/p99 from injecting the message to the webhook's arrival.
 *
 * mode inject: messages go through SandboxEngine.inject and the inbound
 * pipeline; publish: straight into EventSink.publish (what the pipeline
 * calls); auto: inject if the pipeline turns an injected message into a
 * webhook, publish otherwise.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DomainEvent } from '../src/domain/events.js';
import type { InboundMessage } from '../src/domain/inbound.js';
import { SandboxEngine } from '../src/engines/sandbox/sandbox-engine.js';
import { startTestServer } from '../src/test-support/test-server.js';

// Plain JS, run with node directly: the receiver must not compete with tsx start-up or share tucan's event loop.
const RECEIVER = `
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
let secrets = {};
let arrivals = [];
let bad = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    const body = Buffer.concat(chunks);
    const key = Buffer.from(String(secrets[req.url]).slice(6), 'base64');
    const expected = createHmac('sha256', key).update(req.headers['webhook-id'] + '.' + req.headers['webhook-timestamp'] + '.').update(body).digest();
    const given = Buffer.from(String(req.headers['webhook-signature']).split(',')[1] ?? '', 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) bad++;
    res.writeHead(204).end();
    arrivals.push([JSON.parse(body).data.text, at]);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
setInterval(() => {
  if (arrivals.length === 0) return;
  process.send({ arrivals, bad });
  arrivals = [];
}, 20);
process.on('message', (m) => {
  if (m.secrets) secrets = m.secrets;
  if (m.stop) process.exit(0);
});
`;

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '10' },
    subscriptions: { type: 'string', default: '1' },
    messages: { type: 'string', default: '30000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'auto' },
  },
});
const INSTANCES = Number(values.instances);
const FANOUT = Number(values.subscriptions);
const MESSAGES = Number(values.messages);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const wallNow = () => performance.timeOrigin + performance.now();

// --- receiver process ---------------------------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-bench-webhooks-'));
const receiverFile = path.join(dir, 'receiver.mjs');
fs.writeFileSync(receiverFile, RECEIVER);
const receiver = fork(receiverFile, [], { execArgv: [] });
const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));

/** Message key → when it went in and how many of its FANOUT deliveries are still due. */
const sentAt = new Map<string, { at: number; left: number }>();
let latencies: number[] = [];
let arrived = 0;
let badSignatures = 0;
let lastArrival = 0;
let waiter: { count: number; resolve: () => void } | null = null;
receiver.on('message', (m: { arrivals?: [string, number][]; bad?: number }) => {
  if (!m.arrivals) return;
  badSignatures = m.bad ?? badSignatures;
  for (const [key, at] of m.arrivals) {
    const sent = sentAt.get(key);
    if (sent === undefined) continue;
    if (--sent.left === 0) sentAt.delete(key);
    latencies.push(at - sent.at);
    lastArrival = Math.max(lastArrival, at);
    arrived++;
  }
  if (waiter && arrived >= waiter.count) waiter.resolve();
});
const arrivedAll = (count: number) =>
  new Promise<void>((resolve, reject) => {
    if (arrived >= count) return resolve();
    const timer = setTimeout(() => reject(new Error(`only ${arrived} of ${count} webhooks arrived`)), 120_000);
    waiter = { count, resolve: () => (clearTimeout(timer), resolve()) };
  });

// --- tucan with sandbox instances -----------------------------------------------
const server = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
const { webhooks, engines } = server.app.modules;
const owner = await server.owner('bench');
const instances: string[] = [];
const secrets: Record<string, string> = {};
for (let i = 0; i < INSTANCES; i++) {
  const inst = await server.sandboxInstance(owner.token, { settings: { actions: { send_webhook: true, reply_msgs: false, send_default_msg: false } } });
  for (let k = 0; k < FANOUT; k++) {
    const hook = `/hook/${i}/${k}`;
    const res = await server.request('POST', `/v1/instances/${inst.id}/webhooks`, { token: owner.token, json: { url: `http://127.0.0.1:${port}${hook}`, events: ['message.received'] } });
    if (res.status !== 201) throw new Error(`subscribe failed: ${res.status} ${res.text}`);
    secrets[hook] = res.body.secret;
  }
  instances.push(inst.id);
}
receiver.send({ secrets });

let seq = 0;
function inbound(instanceId: string, text: string): InboundMessage {
  const phone = `5917${String(1000000 + (seq % 9000000)).padStart(7, '0')}`;
  return {
    instance_id: instanceId,
    wa_message_id: SandboxEngine.messageId(),
    chat_jid: `${phone}@s.whatsapp.net`,
    sender_jid: `${phone}@s.whatsapp.net`,
    sender_phone: phone,
    push_name: 'Bench',
    is_group: false,
    is_broadcast: false,
    from_me: false,
    sent_by_api: false,
    offline: false,
    timestamp: Date.now(),
    kind: 'text',
    text,
  };
}

function asEvent(m: InboundMessage): DomainEvent {
  return {
    type: 'message.received',
    data: {
      message_id: m.wa_message_id,
      wa_message_id: m.wa_message_id,
      direction: 'in',
      chat_jid: m.chat_jid,
      from_jid: m.sender_jid,
      from_phone: m.sender_phone,
      from_lid: m.sender_lid ?? null,
      to_jid: null,
      push_name: m.push_name,
      is_group: false,
      from_me: false,
      sent_by_api: false,
      offline: false,
      kind: 'text',
      text: m.text,
      timestamp: new Date(m.timestamp).toISOString(),
    },
  };
}

type Mode = 'inject' | 'publish';
/** One inbound message into one instance; resolves when tucan has accepted it. */
function send(mode: Mode, instanceId: string): Promise<void> {
  const text = `bench ${++seq}`;
  const m = inbound(instanceId, text);
  sentAt.set(text, { at: wallNow(), left: FANOUT });
  if (mode === 'publish') return webhooks.sink.publish(instanceId, [asEvent(m)]);
  return (engines.engines.get(instanceId) as SandboxEngine).inject([m]);
}

async function detectMode(): Promise<Mode> {
  if (values.mode === 'inject' || values.mode === 'publish') return values.mode;
  const before = arrived;
  await send('inject', instances[0]);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && arrived === before) await new Promise((r) => setTimeout(r, 50));
  sentAt.clear();
  return arrived > before ? 'inject' : 'publish';
}

const mode = await detectMode();
arrived = 0;
latencies = [];
console.log(`webhooks bench: ${INSTANCES} sandbox instances, ${FANOUT} subscription(s) each (one signed delivery per subscription and message), receiver in its own process; mode: ${mode}${mode === 'inject' ? ' (SandboxEngine.inject → inbound pipeline → EventSink)' : values.mode === 'publish' ? ' (EventSink.publish driven directly)' : ' (the inbound pipeline produced no webhook; EventSink.publish driven directly)'}; ${os.cpus().length} CPUs`);

// warm-up: connections, statement caches, JIT
for (let i = 0; i < 500; i++) await send(mode, instances[i % INSTANCES]);
await arrivedAll(500 * FANOUT);

// --- phase 1: throughput ------------------------------------------------------------
arrived = 0;
latencies = [];
const PRODUCERS = 32;
const t0 = wallNow();
const cpu0 = process.cpuUsage();
let issued = 0;
await Promise.all(
  Array.from({ length: PRODUCERS }, async (_, p) => {
    while (issued < MESSAGES) {
      issued++;
      await send(mode, instances[p % INSTANCES]);
    }
  }),
);
await arrivedAll(MESSAGES * FANOUT);
const seconds = (lastArrival - t0) / 1000;
const deliveries = MESSAGES * FANOUT;
const cpu = process.cpuUsage(cpu0);
// CPU time does not depend on what else the machine is doing, unlike wall time
const cpuPerDelivery = (cpu.user + cpu.system) / deliveries;
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
let sorted = [...latencies].sort((a, b) => a - b);
console.log(`throughput: ${MESSAGES} inbound messages → ${deliveries} signed deliveries in ${seconds.toFixed(2)} s = ${Math.round(deliveries / seconds).toLocaleString('en-US')} deliveries/s, ${Math.round(MESSAGES / seconds).toLocaleString('en-US')} messages/s (latency under saturation p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms)`);
console.log(`tucan process CPU: ${cpuPerDelivery.toFixed(0)} µs per delivery (≈ ${Math.round(1e6 / cpuPerDelivery).toLocaleString('en-US')} deliveries per CPU-second); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);

// --- phase 2: latency at a steady rate ------------------------------------------------
arrived = 0;
latencies = [];
const total = RATE * SECONDS;
const TICK_MS = 10;
const perTick = (RATE * TICK_MS) / 1000;
let sentCount = 0;
const start = wallNow();
await new Promise<void>((resolve) => {
  const tick = () => {
    // catch up by the clock rather than trusting timer accuracy
    const due = Math.min(total, Math.floor(((wallNow() - start) / 1000) * RATE) + perTick);
    while (sentCount < due) {
      void send(mode, instances[sentCount % INSTANCES]);
      sentCount++;
    }
    if (sentCount >= total) resolve();
    else setTimeout(tick, TICK_MS);
  };
  tick();
});
await arrivedAll(total * FANOUT);
sorted = [...latencies].sort((a, b) => a - b);
console.log(
  `latency at ${RATE} inbound msgs/s for ${SECONDS} s (${total} messages): p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms (inbound → webhook arrival)`,
);
console.log(`signatures checked by the receiver: ${badSignatures === 0 ? 'all valid' : `${badSignatures} INVALID`}`);

receiver.send({ stop: true });
await server.close({ cleanup: true });
fs.rmSync(dir, { recursive: true, force: true });
process.exit(badSignatures === 0 ? 0 : 1);
