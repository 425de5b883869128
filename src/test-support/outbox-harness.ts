/**
 * The outbound module on a real embedded store with real sandbox engines,
 * for service-level tests that need to script the engine (failures, 463,
 * disconnects, slow sends) or plug in their own ports. Not a test file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Config, DeepPartial } from '../config.js';
import { decide } from '../domain/decide.js';
import { emptyChatState } from '../domain/loop-guard.js';
import { compileRules } from '../domain/rule-matcher.js';
import { defaultSettings } from '../domain/settings.js';
import type { Engine, EngineFactory, SendRequest, SendResult } from '../engines/engine.js';
import { SandboxEngine } from '../engines/sandbox/sandbox-engine.js';
import { SandboxRecord } from '../engines/sandbox/sandbox-record.js';
import { EngineHub } from '../services/engine-hub.js';
import { EngineManager } from '../services/engine-manager.js';
import { outboxModule, type OutboxModule } from '../modules/outbox.js';
import { UnavailableError } from '../services/errors.js';
import type { OutboxPorts } from '../services/outbox/outbox-ports.js';
import { SqliteStore } from '../store/embedded/sqlite-store.js';
import { newId } from '../store/port.js';
import { newInboundDoc, type InboundMessageDoc } from '../store/repositories/inbound-messages.js';
import { InstancesRepo, type InstanceDoc } from '../store/repositories/instances.js';
import { loadInbound } from './inbound-fixtures.js';
import { testConfig } from './test-server.js';

/** Decides what a scripted send does: return to send normally through the sandbox, or throw. */
export type SendScript = (request: SendRequest, attempt: number) => void | Promise<void>;

export interface Harness {
  module: OutboxModule;
  store: SqliteStore;
  record: SandboxRecord;
  engines: EngineManager;
  hub: EngineHub;
  ports: OutboxPorts;
  dir: string;
  config: Config;
  instance(overrides?: Partial<InstanceDoc>): Promise<InstanceDoc>;
  /** An inbound text message's document, as the pipeline records it with the bot's replies (ConversationRecord.record). */
  inbound(instanceId: string, waMessageId: string, phone: string): InboundMessageDoc;
  /** Creates and connects the instance's sandbox engine. */
  connect(instanceId: string): Promise<Engine>;
  /** Every send the engine was asked to do (including failed attempts), in order. */
  attempts: SendRequest[];
  presence: { jid: string; presence: string }[];
  script: SendScript | null;
  /** Polls until `check` returns a value (no timing assertions: the deadline only stops a hung test). */
  until<T>(check: () => Promise<T | null | undefined | false>, what: string, ms?: number): Promise<T>;
  close(): Promise<void>;
}

/** Ports a test does not use unless it passes its own: a sink no one subscribes to, and media, contacts and variation that are unavailable (503). */
function unusedPorts(): OutboxPorts {
  const unavailable = (what: string) => new UnavailableError(`${what} is not available in this test harness`);
  const refuse = (what: string) => () => Promise.reject(unavailable(what));
  return {
    events: { wants: () => false, publish: async () => {} },
    media: { store: refuse('media intake'), load: refuse('media intake'), voiceNote: refuse('media intake') },
    contacts: { vcardFields: refuse('saved contacts') },
    variator: {
      vary: () => {
        throw unavailable('text variation (aiModifications)');
      },
    },
  };
}

export async function startHarness(options: { config?: DeepPartial<Config>; ports?: Partial<OutboxPorts>; clock?: () => number; dir?: string } = {}): Promise<Harness> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-outbox-'));
  const config = testConfig(dir, options.config);
  const log = pino({ level: 'silent' });
  const clock = options.clock ?? Date.now;
  const store = new SqliteStore(path.join(dir, 'tucan.db'));
  const instancesRepo = new InstancesRepo(store);
  const record = new SandboxRecord(store);
  await Promise.all([instancesRepo.init(), record.init()]);
  const hub = new EngineHub(log);
  const attempts: SendRequest[] = [];
  const presence: { jid: string; presence: string }[] = [];
  const counts = new Map<string, number>();
  const h = { attempts, presence, script: null as SendScript | null };
  const sandbox: EngineFactory = (ctx) => {
    const engine = new SandboxEngine({ ...ctx, record, clock });
    const send = engine.send.bind(engine);
    engine.send = async (request: SendRequest): Promise<SendResult> => {
      attempts.push(request);
      const n = (counts.get(request.wa_message_id) ?? 0) + 1;
      counts.set(request.wa_message_id, n);
      if (h.script) await h.script(request, n);
      return send(request);
    };
    const sendPresence = engine.sendPresence.bind(engine);
    (engine as Engine).sendPresence = async (jid: string, p: 'composing' | 'paused') => {
      presence.push({ jid, presence: p });
      return sendPresence();
    };
    return engine;
  };
  const engines = new EngineManager({ sandbox }, hub, log);
  const ports: OutboxPorts = { ...unusedPorts(), ...options.ports };
  const module = await outboxModule({ config, store, instancesRepo, engines, ports, clock, log });
  // the engine events the outbox hears, as src/app.ts wires them
  hub.on('connection', (id, update) => module.pool.connected(id, update));
  hub.on('receipt', (id, receipts) => module.pool.applyReceipts(id, receipts));
  for (const w of module.workers) await w.start();

  return Object.assign(h, {
    module,
    store,
    record,
    engines,
    hub,
    ports,
    dir,
    config,
    async instance(overrides: Partial<InstanceDoc> = {}) {
      const now = clock();
      return instancesRepo.insert({
        _id: newId(),
        owner_id: newId(),
        name: 'test',
        engine: 'sandbox',
        settings: defaultSettings(),
        token_prefix: newId(),
        token_hash: 'x',
        token_rotated_at: now,
        status: 'disconnected',
        status_reason: null,
        phone: null,
        wa_name: null,
        desired_state: 'connected',
        created_at: now,
        updated_at: now,
        ...overrides,
      });
    },
    inbound(instanceId: string, waMessageId: string, phone: string): InboundMessageDoc {
      // a recorded message, decided and shaped by the pipeline's own code, so the document is what it stores
      const jid = `${phone}@s.whatsapp.net`;
      const message = loadInbound('text-private', { instance_id: instanceId, wa_message_id: waMessageId, chat_jid: jid, sender_jid: jid, sender_phone: phone });
      const id = newId();
      const now = clock();
      const decision = decide(message, { settings: defaultSettings() }, compileRules([]), now, { messageId: id, random: () => 0, state: emptyChatState() });
      return newInboundDoc(id, instanceId, message, decision, now);
    },
    async connect(instanceId: string) {
      const engine = engines.ensure(instanceId, 'sandbox');
      await engine.connect();
      return engine;
    },
    async until<T>(check: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const w of [...module.workers].reverse()) await w.stop();
      await engines.shutdown();
      await store.close();
    },
  });
}
