/**
 * Runs a store-level suite on every backend: the embedded store always (a
 * fresh file in a temporary directory), MongoDB when MONGODB_URI is set, and
 * otherwise a visible skipped test saying why.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../store/embedded/sqlite-store.js';
import { MongoStore } from '../store/mongo/mongo-store.js';
import { PgStore } from '../store/postgres/pg-store.js';
import { newId, type Doc, type Store } from '../store/port.js';

/**
 * Where one test's data lives, as plain data: opening it again gives another
 * connection to the same store, in this process or in a child process.
 */
export type StoreSpec = { backend: 'embedded'; file: string } | { backend: 'mongodb'; uri: string; db: string } | { backend: 'postgres'; url: string; schema: string };

/** A new connection to the store a spec names; the caller closes it. */
export async function openSpec(spec: StoreSpec): Promise<Store> {
  switch (spec.backend) {
    case 'embedded':
      return new SqliteStore(spec.file);
    case 'mongodb':
      return MongoStore.connect(spec.uri, spec.db);
    case 'postgres':
      return PgStore.connect(spec.url, { schema: spec.schema });
  }
}

export interface OpenedBackend {
  store: Store;
  /** Where `store` keeps its data: `openSpec(spec)` opens it again. */
  spec: StoreSpec;
  /** Closes `store` and removes the data; stores opened again from `spec` are closed by whoever opened them. */
  cleanup: () => Promise<void>;
}

export type OpenBackend = () => Promise<OpenedBackend>;

export function onEveryBackend(name: string, suite: (label: string, open: OpenBackend) => void): void {
  suite('embedded (SQLite)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-store-'));
    const spec: StoreSpec = { backend: 'embedded', file: path.join(dir, 'test.db') };
    const store = await openSpec(spec);
    return {
      store,
      spec,
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
  const pgUrl = postgresUrl();
  if (pgUrl.ok) {
    suite('postgres', async () => {
      const spec: StoreSpec = { backend: 'postgres', url: pgUrl.url, schema: `t_${name.replace(/\W+/g, '_').slice(0, 20)}_${process.pid}_${Date.now()}_${++schemas}`.toLowerCase() };
      const store = (await openSpec(spec)) as PgStore;
      return {
        store,
        spec,
        cleanup: async () => {
          await store.dropSchema();
          await store.close();
        },
      };
    });
  } else {
    describe(`${name}: postgres`, () => {
      it('is skipped because PostgreSQL is not reachable', function () {
        if (process.env.TUCAN_REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here (TUCAN_REQUIRE_POSTGRES=1) but ${pgUrl.reason}`);
        console.log(`      (PostgreSQL run of ${name} skipped: ${pgUrl.reason}; set TUCAN_TEST_POSTGRES_URL)`);
        this.skip();
      });
    });
  }
  const mongoUri = process.env.MONGODB_URI;
  if (mongoUri) {
    suite('mongodb', async () => {
      const spec: StoreSpec = { backend: 'mongodb', uri: mongoUri, db: `tucan_${name.replace(/\W+/g, '_')}_${process.pid}_${Date.now()}` };
      const store = await openSpec(spec);
      return { store, spec, cleanup: () => store.close() };
    });
  } else {
    describe(`${name}: mongodb`, () => {
      it('is skipped because MONGODB_URI is not set', function () {
        console.log(`      (MongoDB run of ${name} skipped: set MONGODB_URI to run it)`);
        this.skip();
      });
    });
  }
}

let schemas = 0;

/**
 * The PostgreSQL to test against: TUCAN_TEST_POSTGRES_URL, else the local
 * default, checked once (synchronously, with psql's pg_isready) so suites can
 * be declared or skipped at load time.
 */
export function postgresUrl(): { ok: true; url: string } | { ok: false; reason: string } {
  if (cachedPg) return cachedPg;
  const url = process.env.TUCAN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const parsed = new URL(url);
  const probe = spawnSync('pg_isready', ['-q', '-h', parsed.hostname, '-p', parsed.port || '5432'], { timeout: 5000 });
  cachedPg = probe.error
    ? { ok: false, reason: 'pg_isready is not installed, so no PostgreSQL server was found' }
    : probe.status === 0
      ? { ok: true, url }
      : { ok: false, reason: `no PostgreSQL answers at ${parsed.host}` };
  return cachedPg;
}
let cachedPg: ReturnType<typeof postgresUrl> | undefined;

/** How many documents the crash turn writes after its first one. */
export const CRASH_TURN_WRITES = 200;

export interface CrashTurnDoc extends Doc {
  n: number;
}

/**
 * How the child process of the turnCommit crash checks writes and dies:
 * - 'after-first-ack': one turn; it kills itself in the callback where the
 *   turn's first write resolves, so nothing of it runs after that
 *   acknowledgement;
 * - 'one-write-at-a-time': the control: each write is issued once the one
 *   before it is acknowledged (so each commits by itself), and it dies as
 *   above;
 * - 'mid-turn': one turn, which halfway prints "halfway" and keeps the
 *   thread busy until the parent kills it, before any write of the turn can
 *   be acknowledged.
 */
export type CrashTurnMode = 'after-first-ack' | 'one-write-at-a-time' | 'mid-turn';

/**
 * The child-process half of the turnCommit crash checks: opens the store and
 * issues one insert into `turn_a`, then CRASH_TURN_WRITES inserts into
 * `turn_b`, dying as `mode` says.
 */
export async function writeTurnThenCrash(spec: StoreSpec, mode: CrashTurnMode): Promise<void> {
  const store = await openSpec(spec);
  const a = store.collection<CrashTurnDoc>('turn_a');
  const b = store.collection<CrashTurnDoc>('turn_b');
  // connections and lazy set-up are done before the turn, so nothing but its own writes delays the acknowledgement
  await store.collection<CrashTurnDoc>('turn_warmup').insertOne({ _id: newId(), n: 0 });
  const crash = () => {
    process.stdout.write('acknowledged\n');
    process.kill(process.pid, 'SIGKILL');
  };
  const failed = (err: unknown) => {
    process.stdout.write(`failed: ${String(err)}\n`);
    process.exit(1);
  };
  setImmediate(() => {
    if (mode === 'one-write-at-a-time') {
      let previous: Promise<unknown> = a.insertOne({ _id: newId(), n: 0 });
      previous.then(crash, failed);
      for (let n = 0; n < CRASH_TURN_WRITES; n++) previous = previous.then(() => b.insertOne({ _id: newId(), n }));
      previous.catch(failed);
      return;
    }
    a.insertOne({ _id: newId(), n: 0 }).then(mode === 'after-first-ack' ? crash : () => process.stdout.write('acknowledged\n'), failed);
    for (let n = 0; n < CRASH_TURN_WRITES; n++) {
      if (n === CRASH_TURN_WRITES / 2) {
        // the turn keeps the thread busy, as a long turn would: a backend that commits what it has
        // received so far before the turn ends has the time to do it (and, after it, to acknowledge)
        if (mode === 'mid-turn') process.stdout.write('halfway\n');
        busyFor(mode === 'mid-turn' ? 10_000 : 20);
      }
      b.insertOne({ _id: newId(), n }).catch(failed);
    }
  });
}

function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs writeTurnThenCrash in a child process (killing it with SIGKILL when
 * it prints "halfway"); resolves with what it printed and the signal that
 * ended it.
 */
export function crashTurn(spec: StoreSpec, mode: CrashTurnMode): Promise<{ output: string; signal: NodeJS.Signals | null }> {
  // CommonJS on purpose: with --input-type=module the embedded store's worker bootstrap (CommonJS, eval'd) would not run
  const script =
    `import(${JSON.stringify(import.meta.url)})` +
    `.then((m) => m.writeTurnThenCrash(${JSON.stringify(spec)}, ${JSON.stringify(mode)}))` +
    `.catch((err) => { console.error(err); process.exit(1); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--eval', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('halfway\n')) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (_code, signal) => resolve({ output, signal }));
  });
}
