/**
 * The synchronous core of the embedded backend: one SQLite connection, one
 * table per collection holding JSON documents, expression indexes over JSON
 * paths. It runs on the store's worker thread (store-worker.ts), which wraps
 * its operations in group-committed transactions.
 *
 * Documents arrive and leave as JSON text, and are stored as JSONB,
 * SQLite's binary JSON: the text is parsed once, on insert, and then every
 * index expression and in-SQL update reads the binary form directly, where
 * with text each of them looked the document up in a parse cache and an
 * update parsed it twice more (3–6 % of pipeline throughput in A/B
 * pairs). Rows written as text by older versions are read the same way
 * (json() and json_extract() take both) and become JSONB when next written.
 * Only the updates that need JavaScript (upserts, operators jsonb_set
 * cannot express) parse documents here.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyUpdate, upsertBase } from '../documents.js';
import { DuplicateKeyError, newId, type Doc, type Filter, type FindOneAndUpdateOptions, type FindOptions, type IndexSpec, type Update, type UpdateResult } from '../port.js';
import { compileSqlUpdate, type SqlUpdate } from './sql-update.js';
import { fieldExpr, orderBy, whereClause } from './sql-filter.js';
import type { StoreOp, StoreOptions } from './worker-protocol.js';

const STATEMENT_CACHE_LIMIT = 1000;

interface Row {
  id: string;
  doc: string;
}

export class SqliteEngine {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly tables = new Set<string>();

  constructor(file: string, options: StoreOptions = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    // Only takes effect when the file is new (an existing database keeps its page size). Each frame a
    // commit appends to the WAL costs system calls; with ~1 KB documents and six indexes per message,
    // 16 KiB pages made the pipeline benchmark ~4 % faster than 8 KiB and 4 KiB (interleaved pairs).
    this.db.pragma('page_size = 16384');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    if (file !== ':memory:') {
      // checkpoints are the Checkpointer's job (see checkpointer.ts)
      this.db.pragma('wal_autocheckpoint = 0');
      this.db.pragma('journal_size_limit = 67108864');
    }
  }

  execute(op: StoreOp): unknown {
    switch (op.op) {
      case 'insert':
        return this.insert(op.c, op.rows);
      case 'find':
        return this.select(op.c, op.filter, op.options).map((r) => r.doc);
      case 'count':
        return this.count(op.c, op.filter);
      case 'updateOne':
        return this.updateOne(op.c, op.filter, op.update, op.upsert);
      case 'updateMany':
        return this.updateMany(op.c, op.filter, op.update);
      case 'findOneAndUpdate':
        return this.findOneAndUpdate(op.c, op.filter, op.update, op.options);
      case 'deleteOne':
        return this.deleteOne(op.c, op.filter);
      case 'deleteMany':
        return this.deleteMany(op.c, op.filter);
      case 'ensureIndexes':
        return this.ensureIndexes(op.c, op.specs);
      case 'dropIndex':
        this.db.exec(`DROP INDEX IF EXISTS "ix_${op.c}_${op.name}"`);
        return null;
      case 'ping':
        return this.db.prepare('SELECT 1').get() && null;
    }
  }

  close(): void {
    this.db.close();
  }

  private table(name: string): string {
    const table = `"c_${name}"`;
    if (!this.tables.has(name)) {
      // A rowid table: documents are far larger than the ~200 bytes WITHOUT ROWID suits, and measured on
      // 1.5 KB documents with six indexes an insert cost 71 µs there against 32 µs here. (Files created
      // before this change keep their WITHOUT ROWID tables; every statement works on both shapes.)
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)`);
      this.tables.add(name);
    }
    return table;
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private ensureIndexes(collection: string, specs: IndexSpec[]): null {
    const table = this.table(collection);
    for (const spec of specs) {
      const paths = Object.keys(spec.keys);
      const name = spec.name ?? paths.map((p) => `${p}_${spec.keys[p]}`).join('_').replace(/[^A-Za-z0-9_]/g, '_');
      const columns = paths.map((p) => `${fieldExpr(p)}${spec.keys[p] === -1 ? ' DESC' : ''}`).join(', ');
      const where = spec.sparse ? ` WHERE ${paths.map((p) => `${fieldExpr(p)} IS NOT NULL`).join(' AND ')}` : '';
      this.db.exec(`CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "ix_${collection}_${name}" ON ${table} (${columns})${where}`);
    }
    return null;
  }

  /** Non-atomic like MongoDB's insertMany: rows before a duplicate stay inserted. */
  private insert(c: string, rows: [string, string][]): null {
    const stmt = this.statement(`INSERT INTO ${this.table(c)} (id, doc) VALUES (?, jsonb(?))`);
    for (const [id, json] of rows) guard(c, () => stmt.run(id, json));
    return null;
  }

  private count(c: string, filter: Filter): number {
    const where = whereClause(filter);
    return (this.statement(`SELECT count(*) AS n FROM ${this.table(c)} WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  }

  private updateOne(c: string, filter: Filter, update: Update, upsert: boolean): UpdateResult {
    const inSql = upsert ? null : compileSqlUpdate(update, filter);
    const table = this.table(c);
    if (inSql) {
      const where = whereClause(filter);
      return this.updateInSql(c, `id = (SELECT id FROM ${table} WHERE ${where.sql} LIMIT 1)`, where.params, inSql);
    }
    const [current] = this.select(c, filter, { limit: 1 });
    if (!current) {
      if (!upsert) return { matched: 0, modified: 0, upsertedId: null };
      return { matched: 0, modified: 0, upsertedId: this.upsert(c, filter, update)._id };
    }
    const modified = this.replace(c, current, applyUpdate(JSON.parse(current.doc) as Doc, update, false));
    return { matched: 1, modified: modified ? 1 : 0, upsertedId: null };
  }

  private updateMany(c: string, filter: Filter, update: Update): UpdateResult {
    const inSql = compileSqlUpdate(update, filter);
    if (inSql) {
      const where = whereClause(filter);
      return this.updateInSql(c, where.sql, where.params, inSql);
    }
    const rows = this.select(c, filter, {});
    let modified = 0;
    for (const row of rows) if (this.replace(c, row, applyUpdate(JSON.parse(row.doc) as Doc, update, false))) modified++;
    return { matched: rows.length, modified, upsertedId: null };
  }

  /** The returned document as JSON text, or null. */
  private findOneAndUpdate(c: string, filter: Filter, update: Update, options: FindOneAndUpdateOptions): string | null {
    const [current] = this.select(c, filter, { sort: options.sort, limit: 1 });
    if (!current) {
      if (!options.upsert) return null;
      const inserted = this.upsert(c, filter, update);
      return options.returnDocument === 'before' ? null : JSON.stringify(inserted);
    }
    const next = applyUpdate(JSON.parse(current.doc) as Doc, update, false);
    const json = JSON.stringify(next);
    if (json !== current.doc) guard(c, () => this.statement(`UPDATE ${this.table(c)} SET doc = jsonb(?) WHERE id = ?`).run(json, current.id));
    return options.returnDocument === 'before' ? current.doc : json;
  }

  private deleteOne(c: string, filter: Filter): number {
    const [row] = this.select(c, filter, { limit: 1 });
    if (!row) return 0;
    return this.statement(`DELETE FROM ${this.table(c)} WHERE id = ?`).run(row.id).changes;
  }

  private deleteMany(c: string, filter: Filter): number {
    const where = whereClause(filter);
    return this.statement(`DELETE FROM ${this.table(c)} WHERE ${where.sql}`).run(...where.params).changes;
  }

  /**
   * Exact matched and modified counts without reading documents into
   * JavaScript: the matching rows are counted (index work only, when the
   * filter is indexed), then only the rows the update changes are written.
   */
  private updateInSql(c: string, where: string, whereParams: unknown[], u: SqlUpdate): UpdateResult {
    const table = this.table(c);
    if (u.changesEveryMatch) {
      // every matched row is modified: one statement, and its change count is both figures
      const changed = guard(c, () => this.statement(`UPDATE ${table} SET doc = ${u.expr} WHERE ${where}`).run(...u.params, ...whereParams));
      return { matched: changed.changes, modified: changed.changes, upsertedId: null };
    }
    const matched = this.statement(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...whereParams) as { n: number };
    if (matched.n === 0) return { matched: 0, modified: 0, upsertedId: null };
    // jsonb(doc): a row still stored as text compares by content, not as "text is not a blob"
    const changed = guard(c, () => this.statement(`UPDATE ${table} SET doc = ${u.expr} WHERE (${where}) AND (${u.expr}) IS NOT jsonb(doc)`).run(...u.params, ...whereParams, ...u.params));
    return { matched: matched.n, modified: changed.changes, upsertedId: null };
  }

  private select(c: string, filter: Filter, options: FindOptions): Row[] {
    const where = whereClause(filter);
    let sql = `SELECT id, json(doc) AS doc FROM ${this.table(c)} WHERE ${where.sql}${orderBy(options.sort)}`;
    const params = [...where.params];
    if (options.limit !== undefined || options.skip !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(options.limit ?? -1, options.skip ?? 0);
    }
    return this.statement(sql).all(...params) as Row[];
  }

  private upsert(c: string, filter: Filter, update: Update): Doc {
    const doc = applyUpdate(upsertBase(filter), update, true) as Record<string, unknown>;
    if (typeof doc._id !== 'string') doc._id = newId();
    this.insert(c, [[doc._id as string, JSON.stringify(doc)]]);
    return doc as unknown as Doc;
  }

  private replace(c: string, before: Row, after: Doc): boolean {
    const json = JSON.stringify(after);
    if (json === before.doc) return false;
    guard(c, () => this.statement(`UPDATE ${this.table(c)} SET doc = jsonb(?) WHERE id = ?`).run(json, before.id));
    return true;
  }
}

function guard<R>(collection: string, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      const index = /index '([^']+)'/.exec(e.message ?? '')?.[1] ?? '_id';
      throw new DuplicateKeyError(collection, index);
    }
    throw err;
  }
}
