/**
 * The one test that runs Baileys' real `makeWASocket` — its WebSocket, noise
 * handshake setup, timers and event buffer — with no network. The socket is
 * pointed at a closed local port, so the test never reaches WhatsApp even on
 * a machine that could, and fails fast instead of waiting for DNS.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { SqliteStore } from '../../store/embedded/sqlite-store.js';
import type { ConnectionUpdate } from '../engine.js';
import type { BaileysEngine } from './baileys-engine.js';
import { createBaileysEngines } from './baileys-engines.js';
import { bridgeLogger } from './log-bridge.js';
import { realSocketFactory } from './socket.js';
import { until } from '../../test-support/baileys/engine-harness.js';

const WA_VERSION: [number, number, number] = [2, 3000, 1043857760];

/** A snapshot taken after one turn of the event loop, once mocha has armed the test's own timeout timer. */
async function baseline(): Promise<Map<string, number>> {
  await new Promise((resolve) => setImmediate(resolve));
  return resources();
}

function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** Resource types that grew since `before` (sockets, timers …). */
function leaked(before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, n] of resources()) if (n > (before.get(type) ?? 0)) out[type] = n - (before.get(type) ?? 0);
  return out;
}

/**
 * What is still held after the event loop had a chance to finish closing;
 * polls with setImmediate, because a polling timer would itself count.
 */
async function released(before: Map<string, number>): Promise<Record<string, number>> {
  for (let i = 0; i < 5000; i++) {
    if (Object.keys(leaked(before)).length === 0) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return leaked(before);
}

describe('Baileys engine: smoke test with the real makeWASocket and no network', () => {
  let store: SqliteStore;
  let engine: BaileysEngine;
  const updates: ConnectionUpdate[] = [];

  before(async () => {
    store = new SqliteStore(':memory:');
    const log = pino({ level: 'silent' });
    const baileys = await createBaileysEngines({
      store,
      config: { waVersion: WA_VERSION, maxReconnectAttempts: 2, reconnectBaseMs: 5, reconnectMaxMs: 20, newsletters: false, fetchVersion: false, webSocketUrl: null, keepAliveMs: 30_000 },
      log,
      socketFactory: realSocketFactory({ logger: bridgeLogger(log, { level: 'warn' }), waWebSocketUrl: 'wss://127.0.0.1:1/ws/chat' }),
    });
    engine = baileys.factory({
      instanceId: 'smoke',
      events: { connection: (u) => void updates.push(u), inbound: () => undefined, receipt: () => undefined, groupParticipants: () => undefined },
    }) as BaileysEngine;
  });

  after(async () => {
    await engine.disconnect();
    await store.close();
  });

  it('retries with backoff, keeps retrying past the cap (never failed over an outage), and a stop leaves no socket or timer behind', async () => {
    const before = await baseline();
    await engine.connect();
    await until(() => updates.filter((u) => u.status === 'reconnecting').length >= 4, 'retries past the cap');
    expect(updates[0].status).to.equal('connecting');
    expect(updates.map((u) => u.status)).to.not.include('failed');
    expect(updates.filter((u) => u.status === 'reconnecting').at(-1)?.reason).to.match(/connection lost or timed out \(408\); still retrying every 20 ms; attempt \d+, next try at /);
    await engine.disconnect();
    expect(engine.running).to.equal(false);
    expect(await released(before)).to.deep.equal({});
  });

  it('stops cleanly while a reconnect is pending', async () => {
    const before = await baseline();
    updates.length = 0;
    await engine.connect();
    await until(() => engine.status().status === 'reconnecting', 'a reconnect to be scheduled');
    await engine.disconnect();
    expect(engine.status()).to.deep.include({ status: 'disconnected', reason: 'closed' });
    expect(engine.running).to.equal(false);
    expect(await released(before)).to.deep.equal({});
  });
});
