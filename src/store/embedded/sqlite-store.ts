/**
 * The embedded backend: one SQLite file (WAL mode), one table per collection
 * holding JSON documents, expression indexes over JSON paths.
 *
 * Durability: WAL with synchronous=NORMAL means a committed transaction is in
 * the WAL file before the promise resolves, so it survives a process crash
 * (kill -9). `sync: 'full'` adds an fsync per commit to survive power loss.
 * Checkpoints run on a worker thread (checkpointer.ts), never in a commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyUpdate, upsertBase } from '../documents.js';
import {
  DuplicateKeyError,
  newId,
  type Collection,
  type Doc,
  type Filter,
  type FindOneAndUpdateOptions,
  type FindOptions,
  type IndexSpec,
  type Sort,
  type Store,
  type Update,
  type UpdateResult,
} from '../port.js';
import { Checkpointer } from './checkpointer.js';
import { GroupCommit } from './group-commit.js';
import { compileSqlUpdate, type SqlUpdate } from './sql-update.js';
import { fieldExpr, orderBy, whereClause } from './sql-filter.js';

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const STATEMENT_CACHE_LIMIT = 1000;
/** 16k frames ≈ 64 MB of WAL at 4 KiB pages. */
const MAX_WAL_FRAMES = 16384;

export interface SqliteStoreOptions {
  sync?: 'normal' | 'full';
}

export class SqliteStore implements Store {
  readonly kind = 'embedded' as const;
  private readonly db: Database.Database;
  private readonly batch: GroupCommit;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly collections = new Map<string, SqliteCollection<Doc>>();
  private closed = false;
  private readonly checkpointer: Checkpointer | null = null;
  /** WAL length in frames, as last reported by the checkpointer. */
  private walFrames = 0;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.db.pragma('journal_size_limit = 67108864');
      this.checkpointer = new Checkpointer(file, (report) => {
        if (report.log !== undefined) this.walFrames = report.log;
      });
    }
    this.batch = new GroupCommit(this.db, () => this.afterCommit());
  }

  collection<T extends Doc>(name: string): Collection<T> {
    let coll = this.collections.get(name);
    if (!coll) {
      if (!NAME.test(name)) throw new Error(`invalid collection name: ${name}`);
      // A rowid table: documents are far larger than the ~200 bytes WITHOUT ROWID suits, and measured on
      // 1.5 KB documents with six indexes an insert cost 71 µs there against 32 µs here. (Files created
      // before this change keep their WITHOUT ROWID tables; every statement works on both shapes.)
      this.db.exec(`CREATE TABLE IF NOT EXISTS "c_${name}" (id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)`);
      coll = new SqliteCollection<Doc>(name, this);
      this.collections.set(name, coll);
    }
    return coll as unknown as Collection<T>;
  }

  async ensureIndexes(collection: string, specs: IndexSpec[]): Promise<void> {
    this.collection(collection);
    for (const spec of specs) {
      const paths = Object.keys(spec.keys);
      const name = spec.name ?? paths.map((p) => `${p}_${spec.keys[p]}`).join('_').replace(/[^A-Za-z0-9_]/g, '_');
      const columns = paths.map((p) => `${fieldExpr(p)}${spec.keys[p] === -1 ? ' DESC' : ''}`).join(', ');
      const where = spec.sparse ? ` WHERE ${paths.map((p) => `${fieldExpr(p)} IS NOT NULL`).join(' AND ')}` : '';
      this.db.exec(
        `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "ix_${collection}_${name}" ON "c_${collection}" (${columns})${where}`,
      );
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('store is closed');
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.batch.flush();
    this.closed = true;
    await this.checkpointer?.stop();
    this.db.close();
  }

  /** Bounds the WAL under sustained writes (see checkpointer.ts). */
  private afterCommit(): void {
    if (this.walFrames <= MAX_WAL_FRAMES) return;
    // one attempt per report from the worker, not one per commit
    this.walFrames = 0;
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** @internal */
  statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** @internal */
  run<T>(fn: () => T, writes: boolean): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return this.batch.run(fn, writes);
  }
}

interface Row {
  id: string;
  doc: string;
}

class SqliteCollection<T extends Doc> implements Collection<T> {
  private readonly table: string;
  /** The stored JSON of each document read, so an update that changes nothing is detected without re-serialising. */
  private readonly raw = new WeakMap<object, string>();

  constructor(
    readonly name: string,
    private readonly store: SqliteStore,
  ) {
    this.table = `"c_${name}"`;
  }

  insertOne(doc: T): Promise<T> {
    return this.store.run(() => this.insertSync(doc), true);
  }

  insertMany(docs: T[]): Promise<T[]> {
    return this.store.run(() => docs.map((d) => this.insertSync(d)), true);
  }

  findOne(filter: Filter, options: { sort?: Sort } = {}): Promise<T | null> {
    return this.store.run(() => this.selectSync(filter, { sort: options.sort, limit: 1 })[0] ?? null, false);
  }

  find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return this.store.run(() => this.selectSync(filter, options), false);
  }

  countDocuments(filter: Filter): Promise<number> {
    return this.store.run(() => {
      const where = whereClause(filter);
      const row = this.store.statement(`SELECT count(*) AS n FROM ${this.table} WHERE ${where.sql}`).get(...where.params) as { n: number };
      return row.n;
    }, false);
  }

  updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    const inSql = options.upsert ? null : compileSqlUpdate(update);
    if (inSql) {
      return this.store.run(() => {
        const where = whereClause(filter);
        return this.updateInSql(`id = (SELECT id FROM ${this.table} WHERE ${where.sql} LIMIT 1)`, where.params, inSql);
      }, true);
    }
    return this.store.run(() => {
      const [current] = this.selectSync(filter, { limit: 1 });
      if (!current) {
        if (!options.upsert) return { matched: 0, modified: 0, upsertedId: null };
        const inserted = this.upsertSync(filter, update);
        return { matched: 0, modified: 0, upsertedId: inserted._id };
      }
      const modified = this.replaceSync(current, applyUpdate(current, update, false));
      return { matched: 1, modified: modified ? 1 : 0, upsertedId: null };
    }, true);
  }

  updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    const inSql = compileSqlUpdate(update);
    if (inSql) {
      return this.store.run(() => {
        const where = whereClause(filter);
        return this.updateInSql(where.sql, where.params, inSql);
      }, true);
    }
    return this.store.run(() => {
      const docs = this.selectSync(filter, {});
      let modified = 0;
      for (const doc of docs) if (this.replaceSync(doc, applyUpdate(doc, update, false))) modified++;
      return { matched: docs.length, modified, upsertedId: null };
    }, true);
  }

  findOneAndUpdate(filter: Filter, update: Update, options: FindOneAndUpdateOptions = {}): Promise<T | null> {
    return this.store.run(() => {
      const [current] = this.selectSync(filter, { sort: options.sort, limit: 1 });
      if (!current) {
        if (!options.upsert) return null;
        const inserted = this.upsertSync(filter, update);
        return options.returnDocument === 'before' ? null : inserted;
      }
      const before = options.returnDocument === 'before' ? structuredClone(current) : null;
      const next = applyUpdate(current, update, false);
      this.replaceSync(current, next);
      return before ?? next;
    }, true);
  }

  deleteOne(filter: Filter): Promise<number> {
    return this.store.run(() => {
      const [doc] = this.selectSync(filter, { limit: 1 });
      if (!doc) return 0;
      return this.store.statement(`DELETE FROM ${this.table} WHERE id = ?`).run(doc._id).changes;
    }, true);
  }

  deleteMany(filter: Filter): Promise<number> {
    return this.store.run(() => {
      const where = whereClause(filter);
      return this.store.statement(`DELETE FROM ${this.table} WHERE ${where.sql}`).run(...where.params).changes;
    }, true);
  }

  /**
   * Exact matched and modified counts without reading documents into
   * JavaScript: rows the update would leave as they are are counted first,
   * then only the rows it changes are written.
   */
  private updateInSql(where: string, whereParams: unknown[], u: SqlUpdate): UpdateResult {
    const unchanged = this.store.statement(`SELECT count(*) AS n FROM ${this.table} WHERE (${where}) AND (${u.expr}) IS doc`).get(...whereParams, ...u.params) as { n: number };
    const changed = this.guard(() => this.store.statement(`UPDATE ${this.table} SET doc = ${u.expr} WHERE (${where}) AND (${u.expr}) IS NOT doc`).run(...u.params, ...whereParams, ...u.params));
    return { matched: unchanged.n + changed.changes, modified: changed.changes, upsertedId: null };
  }

  private selectSync(filter: Filter, options: FindOptions): T[] {
    const where = whereClause(filter);
    let sql = `SELECT id, doc FROM ${this.table} WHERE ${where.sql}${orderBy(options.sort)}`;
    const params = [...where.params];
    if (options.limit !== undefined || options.skip !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(options.limit ?? -1, options.skip ?? 0);
    }
    const rows = this.store.statement(sql).all(...params) as Row[];
    return rows.map((r) => {
      const doc = JSON.parse(r.doc) as T;
      this.raw.set(doc, r.doc);
      return doc;
    });
  }

  private insertSync(doc: T): T {
    const stored = { ...doc, _id: doc._id ?? newId() } as T;
    this.guard(() => this.store.statement(`INSERT INTO ${this.table} (id, doc) VALUES (?, ?)`).run(stored._id, JSON.stringify(stored)));
    return stored;
  }

  private upsertSync(filter: Filter, update: Update): T {
    const base = upsertBase(filter);
    const doc = applyUpdate(base, update, true) as Record<string, unknown>;
    if (typeof doc._id !== 'string') doc._id = newId();
    return this.insertSync(doc as unknown as T);
  }

  private replaceSync(before: T, after: T): boolean {
    const json = JSON.stringify(after);
    if (json === this.raw.get(before)) return false;
    this.guard(() => this.store.statement(`UPDATE ${this.table} SET doc = ? WHERE id = ?`).run(json, before._id));
    return true;
  }

  private guard<R>(fn: () => R): R {
    try {
      return fn();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        const index = /index '([^']+)'/.exec(e.message ?? '')?.[1] ?? '_id';
        throw new DuplicateKeyError(this.name, index);
      }
      throw err;
    }
  }
}
