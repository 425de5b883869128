/**
 * The embedded backend: one SQLite file (WAL mode), one table per collection
 * holding JSON documents, expression indexes over JSON paths.
 *
 * This is its main-thread face. SQLite itself runs on a worker thread
 * (store-worker.ts, sqlite-engine.ts): with the event loop busy with HTTP,
 * decisions and engines, the database work gets the second core. Operations
 * travel to it in the order they were issued and run in that order, so each
 * is atomic with respect to every other operation of this process and a read
 * sees every write issued before it. Those of one event-loop turn commit in
 * one transaction, and none resolves before it commits (turnCommit).
 *
 * Durability: WAL with synchronous=NORMAL means a committed transaction is in
 * the WAL file before the promise resolves, so it survives a process crash
 * (kill -9). `sync: 'full'` adds an fsync per commit to survive power loss.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  newId,
  type Collection,
  type Doc,
  type Filter,
  type FindOneAndUpdateOptions,
  type FindOptions,
  type IndexSpec,
  type Sort,
  type Store,
  type StoreCapabilities,
  type Update,
  type UpdateResult,
} from '../port.js';
import { fromWire, type BatchResult, type FromWorker, type StoreOp, type StoreOptions, type ToWorker, type WorkerInit } from './worker-protocol.js';

export type SqliteStoreOptions = StoreOptions;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/**
 * A busy turn sends its operations in chunks of this many rather than all
 * at its end, so the worker starts on the first ones while this thread is
 * still producing the rest; one message per turn kept the two threads in
 * lockstep, each idle while the other worked. A chunk sent before its turn
 * ends says so (`more`), and the worker keeps the transaction open for the
 * rest of the turn. The last chunk goes at the turn's end and this thread
 * waits for it: 32 did better than 64 and 16 in interleaved bench:pipeline
 * pairs.
 */
const CHUNK_OPS = 32;
// the worker is a sibling module: .ts under tsx, .js once compiled
const WORKER_URL = new URL(`./store-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);
/**
 * Worker threads do not run the parent's --import hooks, so a TypeScript
 * worker first registers tsx's loader itself.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => { setImmediate(() => { throw err; }); });
`;
const TSX_API = WORKER_URL.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class SqliteStore implements Store {
  readonly kind = 'embedded';
  /** The worker's group commit gives turnCommit; the file belongs to one process. */
  readonly capabilities: StoreCapabilities = { turnCommit: true, sharedAcrossProcesses: false, changeNotification: false };
  private readonly worker: Worker;
  private readonly collections = new Map<string, SqliteCollection<Doc>>();
  private queue: StoreOp[] = [];
  private waiters: Pending[] = [];
  private readonly inFlight = new Map<number, Pending[]>();
  private seq = 0;
  private scheduled = false;
  /** A chunk of the running turn went ahead with `more`: the turn's end must still be sent. */
  private turnOpen = false;
  private closed = false;
  /** Why the worker can no longer serve, once it cannot. */
  private broken: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    const init: WorkerInit = { file, options, entry: WORKER_URL.href, tsx: TSX_API };
    this.worker = new Worker(BOOTSTRAP, { eval: true, workerData: init });
    this.worker.on('message', (msg: FromWorker) => this.receive(msg));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => this.fail(new Error('the store worker exited')));
    // like a synchronous database, an idle store must not keep the process alive
    this.worker.unref();
  }

  collection<T extends Doc>(name: string): Collection<T> {
    let coll = this.collections.get(name);
    if (!coll) {
      if (!NAME.test(name)) throw new Error(`invalid collection name: ${name}`);
      coll = new SqliteCollection<Doc>(name, this);
      this.collections.set(name, coll);
    }
    return coll as unknown as Collection<T>;
  }

  async ensureIndexes(collection: string, specs: IndexSpec[]): Promise<void> {
    this.collection(collection);
    await this.call({ op: 'ensureIndexes', c: collection, specs });
  }

  async dropIndex(collection: string, name: string): Promise<void> {
    this.collection(collection);
    // the same spelling ensureIndexes gives a default name ('nested.b_1' → 'nested_b_1')
    await this.call({ op: 'dropIndex', c: collection, name: name.replace(/[^A-Za-z0-9_]/g, '_') });
  }

  async ping(): Promise<void> {
    await this.call({ op: 'ping' });
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        this.flush(false);
        this.closed = true;
        if (this.broken) return;
        this.worker.ref();
        const closed = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
        this.post({ kind: 'close' });
        await closed;
      })();
    }
    return this.closing;
  }

  /** @internal Queues an operation for this turn's message to the worker. */
  call(op: StoreOp): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push(op);
      this.waiters.push({ resolve, reject });
      // the first call of a turn always schedules its end (the queue was empty), so a chunk sent
      // ahead with `more` is always followed by the turn's last message
      if (this.queue.length >= CHUNK_OPS) this.flush(true);
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush(false);
        });
      }
    });
  }

  /**
   * Sends what is queued. `more`: the turn is still running, so the worker
   * must not commit after this chunk. The turn's last message ends it, even
   * with nothing left to send (then an empty batch).
   */
  private flush(more: boolean): void {
    if (this.queue.length === 0 && (more || !this.turnOpen)) return;
    this.turnOpen = more;
    const seq = ++this.seq;
    const ops = this.queue;
    this.inFlight.set(seq, this.waiters);
    this.queue = [];
    this.waiters = [];
    if (this.inFlight.size === 1) this.worker.ref();
    this.post({ kind: 'batch', seq, ops, more });
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  private receive(msg: FromWorker): void {
    switch (msg.kind) {
      case 'done':
        for (const batch of msg.batches) this.settle(batch);
        break;
      case 'batchFailed':
        for (const seq of msg.seqs) for (const w of this.take(seq)) w.reject(fromWire(msg.error));
        break;
      case 'fatal':
        this.fail(fromWire(msg.error));
        break;
    }
    if (this.inFlight.size === 0 && !this.closed) this.worker.unref();
  }

  private settle({ seq, values, errors }: BatchResult): void {
    const waiters = this.take(seq);
    for (let i = 0; i < waiters.length; i++) {
      const err = errors?.[i];
      if (err) waiters[i].reject(fromWire(err));
      else waiters[i].resolve(values[i]);
    }
  }

  private take(seq: number): Pending[] {
    const waiters = this.inFlight.get(seq) ?? [];
    this.inFlight.delete(seq);
    return waiters;
  }

  /** The worker is gone: everything outstanding fails (none of it was acknowledged), and so does what follows. */
  private fail(err: Error): void {
    if (this.closed && this.inFlight.size === 0) return;
    this.broken ??= err;
    for (const seq of [...this.inFlight.keys()]) for (const w of this.take(seq)) w.reject(err);
    for (const w of this.waiters) w.reject(err);
    this.queue = [];
    this.waiters = [];
    this.turnOpen = false;
  }
}

class SqliteCollection<T extends Doc> implements Collection<T> {
  constructor(
    readonly name: string,
    private readonly store: SqliteStore,
  ) {}

  async insertOne(doc: T): Promise<T> {
    // like the MongoDB backend, the document itself is what was stored (no copy on this hot path)
    const stored = doc._id === undefined ? ({ ...doc, _id: newId() } as T) : doc;
    await this.store.call({ op: 'insert', c: this.name, rows: [[stored._id, JSON.stringify(stored)]] });
    return stored;
  }

  async insertMany(docs: T[]): Promise<T[]> {
    const stored = docs.map((doc) => (doc._id === undefined ? ({ ...doc, _id: newId() } as T) : doc));
    await this.store.call({ op: 'insert', c: this.name, rows: stored.map((d) => [d._id, JSON.stringify(d)]) });
    return stored;
  }

  async findOne(filter: Filter, options: { sort?: Sort } = {}): Promise<T | null> {
    const [json] = (await this.store.call({ op: 'find', c: this.name, filter, options: { sort: options.sort, limit: 1 } })) as string[];
    return json === undefined ? null : (JSON.parse(json) as T);
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const rows = (await this.store.call({ op: 'find', c: this.name, filter, options })) as string[];
    return rows.map((json) => JSON.parse(json) as T);
  }

  countDocuments(filter: Filter): Promise<number> {
    return this.store.call({ op: 'count', c: this.name, filter }) as Promise<number>;
  }

  updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    return this.store.call({ op: 'updateOne', c: this.name, filter, update, upsert: options.upsert === true }) as Promise<UpdateResult>;
  }

  updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    return this.store.call({ op: 'updateMany', c: this.name, filter, update }) as Promise<UpdateResult>;
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: FindOneAndUpdateOptions = {}): Promise<T | null> {
    const json = (await this.store.call({ op: 'findOneAndUpdate', c: this.name, filter, update, options })) as string | null;
    return json === null ? null : (JSON.parse(json) as T);
  }

  deleteOne(filter: Filter): Promise<number> {
    return this.store.call({ op: 'deleteOne', c: this.name, filter }) as Promise<number>;
  }

  deleteMany(filter: Filter): Promise<number> {
    return this.store.call({ op: 'deleteMany', c: this.name, filter }) as Promise<number>;
  }
}
