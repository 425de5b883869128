/**
 * A Baileys engine wired to fake sockets and an in-memory store, recording
 * every event it reports. Not a test file itself.
 */
import { pino } from 'pino';
import type { InboundMessage } from '../../domain/inbound.js';
import { SqliteStore } from '../../store/embedded/sqlite-store.js';
import type { ConnectionUpdate, EngineEvents, GroupParticipantsUpdate, Receipt } from '../../engines/engine.js';
import type { BaileysEngine } from '../../engines/baileys/baileys-engine.js';
import { createBaileysEngines, type BaileysEngines } from '../../engines/baileys/baileys-engines.js';
import { fakeSocketFactory, type FakeSocket } from './fake-socket.js';

export interface Recorded {
  connection: ConnectionUpdate[];
  inbound: InboundMessage[][];
  receipt: Receipt[][];
  groupParticipants: GroupParticipantsUpdate[];
}

export interface Harness {
  store: SqliteStore;
  baileys: BaileysEngines;
  engine: BaileysEngine;
  sockets: FakeSocket[];
  latest(): FakeSocket;
  events: Recorded;
  /** A second engine for the same instance on the same store: a process restart. */
  restart(): BaileysEngine;
  statuses(): string[];
  close(): Promise<void>;
}

export const ME = { id: '59170000001:12@s.whatsapp.net', lid: '200000000000001:12@lid', name: 'Tienda' };

export async function harness(options: { maxReconnectAttempts?: number; setup?: (sock: FakeSocket) => void } = {}): Promise<Harness> {
  const store = new SqliteStore(':memory:');
  const fake = fakeSocketFactory(options.setup);
  const baileys = await createBaileysEngines({
    store,
    config: { waVersion: [2, 3000, 1043857760], maxReconnectAttempts: options.maxReconnectAttempts ?? 3, reconnectBaseMs: 2, reconnectMaxMs: 8, newsletters: false, fetchVersion: false, webSocketUrl: null, keepAliveMs: 30_000 },
    log: pino({ level: 'silent' }),
    socketFactory: fake.factory,
    directory: { intervalMs: 0, sleep: async () => undefined },
    random: () => 0.5,
    pairingWaitMs: 5000,
  });
  const events: Recorded = { connection: [], inbound: [], receipt: [], groupParticipants: [] };
  const sink: EngineEvents = {
    connection: (u) => void events.connection.push(u),
    inbound: (m) => void events.inbound.push(m),
    receipt: (r) => void events.receipt.push(r),
    groupParticipants: (g) => void events.groupParticipants.push(g),
  };
  const make = () => baileys.factory({ instanceId: 'inst1', events: sink }) as BaileysEngine;
  const engine = make();
  return {
    store,
    baileys,
    engine,
    sockets: fake.sockets,
    latest: fake.latest,
    events,
    restart: make,
    statuses: () => events.connection.map((u) => u.status),
    async close() {
      await engine.disconnect();
      await store.close();
    },
  };
}

/** Waits (polling, capped) until `check` holds; async engine work runs meanwhile. Not a timing assertion: the cap only stops a hung test. */
export async function until(check: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, i < 50 ? 0 : 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets queued event handling run (a few macrotask turns). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
