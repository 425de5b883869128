/**
 * Number checks: batching, pacing, caching and caps, observed through the
 * sandbox engine's calls and a virtual clock (no real waiting, no timing
 * assertions: the gaps asserted are the ones the pacer asked to sleep).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { seededRandom } from '../../domain/random.js';
import { SandboxEngine } from '../../engines/sandbox/sandbox-engine.js';
import { SandboxRecord } from '../../engines/sandbox/sandbox-record.js';
import { SqliteStore } from '../../store/embedded/sqlite-store.js';
import { newId } from '../../store/port.js';
import { EngineHub } from '../engine-hub.js';
import { EngineManager } from '../engine-manager.js';
import { ServiceError } from '../errors.js';
import { ContactsService, type ContactsOptions } from './contacts-service.js';

class CountingSandbox extends SandboxEngine {
  readonly calls: { at: number; phones: string[] }[] = [];
  now: () => number = Date.now;
  override async checkNumbers(phones: string[]) {
    this.calls.push({ at: this.now(), phones });
    // yield, so concurrent requests would overlap here if the pacer let them
    await new Promise((r) => setImmediate(r));
    return super.checkNumbers(phones);
  }
}

const OPTIONS: ContactsOptions = { checkMaxPerRequest: 50, checkBatchSize: 10, checkIntervalMs: 1500, checkJitterMs: 1000, checkHourlyLimit: 120, checkCacheSeconds: 3600 };

function phones(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `5730012${String(from + i + 1).padStart(5, '0')}`);
}

async function refusal(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('expected a refusal');
}

describe('number checks (paced, capped, cached)', () => {
  let dir: string;
  let store: SqliteStore;
  let engines: EngineManager;
  let engine: CountingSandbox;
  let contacts: ContactsService;
  let now: number;
  let sleeps: number[];
  const instanceId = newId();
  // the services read the stored status only when the engine is gone
  const instance = { _id: instanceId, status: 'connected' as const, status_reason: null };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-checks-'));
    store = new SqliteStore(path.join(dir, 'test.db'));
    const record = new SandboxRecord(store);
    await record.init();
    const log = pino({ level: 'silent' });
    const hub = new EngineHub(log);
    engines = new EngineManager({ sandbox: (ctx) => new CountingSandbox({ ...ctx, record }) }, hub, log);
    engine = engines.ensure(instanceId, 'sandbox') as CountingSandbox;
    engine.now = () => now;
    await engine.connect();
    now = 1_700_000_000_000;
    sleeps = [];
    contacts = new ContactsService(store, engines, OPTIONS, {
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      random: seededRandom(42),
    });
    await contacts.init();
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks WhatsApp in batches, with a paced, jittered gap between batches', async () => {
    const list = phones(25);
    const results = await contacts.checkMany(instance, list, 'body.phones');
    expect(results.map((r) => r.phone)).to.deep.equal(list);
    expect(results.every((r) => r.is_registered && r.jid === `${r.phone}@s.whatsapp.net`)).to.equal(true);
    expect(engine.calls.map((c) => c.phones.length)).to.deep.equal([10, 10, 5]);
    expect(sleeps).to.have.length(2);
    for (const ms of sleeps) expect(ms).to.be.within(1500, 2499);
    for (let i = 1; i < engine.calls.length; i++) expect(engine.calls[i].at - engine.calls[i - 1].at).to.be.at.least(1500);
  });

  it('serialises concurrent requests of one instance in the same paced queue', async () => {
    await Promise.all([contacts.checkMany(instance, phones(10, 0), 'body.phones'), contacts.checkMany(instance, phones(10, 100), 'body.phones'), contacts.checkOne(instance, '573001299999', 'params.phone')]);
    expect(engine.calls).to.have.length(3);
    const times = engine.calls.map((c) => c.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).to.be.at.least(1500);
  });

  it('answers repeated numbers from the cache until it expires, in input order, with duplicates', async () => {
    await contacts.checkMany(instance, phones(5), 'body.phones');
    const again = await contacts.checkMany(instance, [...phones(5)].reverse().concat(phones(1)), 'body.phones');
    expect(again.map((r) => r.phone)).to.deep.equal([...phones(5)].reverse().concat(phones(1)));
    expect(engine.calls).to.have.length(1);
    now += 3601_000;
    await contacts.checkMany(instance, phones(5), 'body.phones');
    expect(engine.calls).to.have.length(2);
    expect(await contacts.purgeExpired()).to.equal(0);
    now += 3601_000;
    expect(await contacts.purgeExpired()).to.equal(5);
  });

  it('reports unregistered numbers with a null jid', async () => {
    const [r] = await contacts.checkMany(instance, ['573001230000'], 'body.phones');
    expect(r).to.deep.equal({ phone: '573001230000', is_registered: false, jid: null });
  });

  it('caps numbers per request and uncached numbers per hour', async () => {
    const tooMany = await refusal(contacts.checkMany(instance, phones(51), 'body.phones'));
    expect(tooMany.status).to.equal(400);
    expect(tooMany.errors[0].field).to.equal('body.phones');
    await contacts.checkMany(instance, phones(50, 0), 'body.phones');
    await contacts.checkMany(instance, phones(50, 100), 'body.phones');
    const limited = await refusal(contacts.checkMany(instance, phones(30, 200), 'body.phones'));
    expect(limited.status).to.equal(429);
    expect(Number(limited.headers['Retry-After'])).to.be.within(1, 3600);
    // cached numbers cost nothing against the cap
    expect(await contacts.checkMany(instance, phones(20, 0), 'body.phones')).to.have.length(20);
    now += 3601_000;
    expect(await contacts.checkMany(instance, phones(30, 200), 'body.phones')).to.have.length(30);
  });

  it('refuses new work with 429 while the instance already has a full paced queue', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const slow = new ContactsService(store, engines, { ...OPTIONS, checkHourlyLimit: 10_000 }, { clock: () => now, sleep: () => gate, random: seededRandom(1) });
    // four requests of 50 fill the queue (4 × the per-request cap); their later batches wait for the gate
    const running = [0, 1, 2, 3].map((k) => slow.checkMany(instance, phones(50, 1000 + k * 100), 'body.phones'));
    // let every request read the cache and take its place in the queue (the first batch is then with the engine)
    while (engine.calls.length === 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
    const full = await refusal(slow.checkMany(instance, phones(10, 2000), 'body.phones'));
    expect(full.status).to.equal(429);
    expect(Number(full.headers['Retry-After'])).to.be.greaterThan(0);
    open();
    expect((await Promise.all(running)).flat()).to.have.length(200);
    // once the queue drains, work is admitted again
    expect(await slow.checkMany(instance, phones(10, 2000), 'body.phones')).to.have.length(10);
  });

  it('validates every number, naming its index', async () => {
    const bad = await refusal(contacts.checkMany(instance, ['573001234567', '12', 'abc', '+57 300 123 4567'], 'body.phones'));
    expect(bad.status).to.equal(400);
    expect(bad.errors.map((e) => e.field)).to.deep.equal(['body.phones.1', 'body.phones.2']);
    expect((await refusal(contacts.checkOne(instance, 'nope', 'params.phone'))).errors[0].field).to.equal('params.phone');
    expect(engine.calls).to.have.length(0);
  });

  it('answers 503 with the reason when WhatsApp is not connected', async () => {
    await engine.disconnect();
    const r = await refusal(contacts.checkOne(instance, '573001234567', 'params.phone'));
    expect(r.status).to.equal(503);
    expect(r.message).to.match(/not connected.*status: disconnected/);
    const none = await refusal(contacts.checkOne({ _id: newId(), status: 'logged_out', status_reason: 'logged out through the API' }, '573001234567', 'params.phone'));
    expect(none.status).to.equal(503);
    // without an engine, the stored status, as the status routes report it
    expect(none.message).to.match(/status: logged_out/);
  });
});
