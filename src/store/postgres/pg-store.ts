/**
 * The PostgreSQL backend, on node-postgres: one table per collection, the
 * document in a JSONB column beside its id, indexes as expression indexes
 * over the port's declarations, and read-modify-write updates inside a
 * transaction with the row locked, so findOneAndUpdate is atomic and claims
 * skip rows another process holds (FOR UPDATE SKIP LOCKED).
 *
 * Several stores can share one database side by side, each in its own
 * schema (`?schema=` on the URL), which is how tests run in parallel.
 */
import pg from 'pg';
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
  type StoreCapabilities,
  type Update,
  type UpdateResult,
} from '../port.js';
import { PgChanges } from './pg-changes.js';
import { jsonAt, orderBy, whereClause } from './pg-filter.js';

type Queryable = pg.Pool | pg.PoolClient;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a usable PostgreSQL name: ${name}`);
  return `"${name}"`;
}

export interface PgOptions {
  /** A schema of its own (created when missing); the URL's `?schema=` works too. */
  schema?: string;
  max?: number;
}

/** The URL without tucan's own `schema` parameter, and that schema. */
export function parsePgUrl(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), ...(schema ? { schema } : {}) };
}

export class PgStore implements Store {
  readonly kind = 'postgres';
  /** Each write commits on its own; any number of processes may share the database, and hear each other's writes (LISTEN/NOTIFY). */
  readonly capabilities: StoreCapabilities = { turnCommit: false, sharedAcrossProcesses: true, changeNotification: true };
  private readonly tables = new Map<string, Promise<void>>();
  /** The LISTEN connection, opened by the first watch(). */
  private changes: PgChanges | null = null;
  private closed = false;

  private constructor(
    /** Also used by what keeps shared state beside the documents (the rate-limit counters). */
    readonly pool: pg.Pool,
    readonly schema: string,
    private readonly connectionString: string,
  ) {}

  static async connect(url: string, options: PgOptions = {}): Promise<PgStore> {
    const { connectionString, schema: fromUrl } = parsePgUrl(url);
    const schema = options.schema ?? fromUrl ?? 'public';
    ident(schema);
    if (schema !== 'public') {
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`).catch(ignoreConcurrentCreate).finally(() => admin.end());
    }
    // the schema is set at connection start-up, so every pooled connection has it
    const pool = new pg.Pool({ connectionString, max: options.max ?? 10, options: `-c search_path=${schema}` });
    // an idle client that loses its server must not crash the process; the next query reconnects
    pool.on('error', () => undefined);
    const store = new PgStore(pool, schema, connectionString);
    await store.ping();
    return store;
  }

  collection<T extends Doc>(name: string): Collection<T> {
    return new PgCollection<T>(name, this.pool, () => this.table(name));
  }

  /** Creates the collection's table once per process (idempotent across processes). */
  table(name: string): Promise<void> {
    let ready = this.tables.get(name);
    if (!ready) {
      ready = this.pool
        .query(`CREATE TABLE IF NOT EXISTS ${ident(name)} (id text PRIMARY KEY, doc jsonb NOT NULL)`)
        .then(() => undefined)
        .catch(ignoreConcurrentCreate);
      ready.catch(() => this.tables.delete(name));
      this.tables.set(name, ready);
    }
    return ready;
  }

  /** The pool and schema, for state kept beside the documents in the same database (the shared rate-limit counters). */
  get postgres(): { pool: pg.Pool; schema: string } {
    return { pool: this.pool, schema: this.schema };
  }

  /** Calls onChange after writes to the collection by any process (pg-changes.ts). */
  watch(collection: string, onChange: () => void): () => void {
    ident(collection);
    if (this.closed) throw new Error('the store is closed');
    this.changes ??= new PgChanges(this.connectionString, this.schema, (name, channel) => this.notifyOnWrite(name, channel));
    return this.changes.watch(collection, onChange);
  }

  /**
   * Puts the statement-level notify trigger on the collection's table, when
   * it is not there yet. One call per statement, not per row: a bulk write
   * is one notification. Serialized across processes by an advisory lock, as
   * concurrent CREATE OR REPLACE of one function can fail. (A change to the
   * function or trigger needs a new name, or the check above keeps the old.)
   */
  private async notifyOnWrite(collection: string, channel: string): Promise<void> {
    await this.table(collection);
    // already there (another process, an earlier run): no DDL, whose table lock would hold up the writers
    const present = await this.pool.query(
      `SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = $2 AND t.tgname = 'tucan_notify_change'`,
      [this.schema, collection],
    );
    if (present.rowCount) return;
    const schema = ident(this.schema);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tucan_notify:${this.schema}`]);
      await client.query(
        `CREATE OR REPLACE FUNCTION ${schema}.tucan_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ ` +
          `BEGIN PERFORM pg_notify(TG_ARGV[0], TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME); RETURN NULL; END $$`,
      );
      await client.query(
        `CREATE OR REPLACE TRIGGER tucan_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${schema}.${ident(collection)} ` +
          `FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.tucan_notify_change('${channel}')`,
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async ensureIndexes(collection: string, specs: IndexSpec[]): Promise<void> {
    await this.table(collection);
    for (const spec of specs) {
      const paths = Object.keys(spec.keys);
      const name = spec.name ?? paths.map((p) => `${p}_${spec.keys[p]}`).join('_');
      const columns = paths.map((p) => (p === '_id' ? 'id' : `(${jsonAt(p)}) ${spec.keys[p] === -1 ? 'DESC' : 'ASC'}`)).join(', ');
      // sparse: documents missing any of the keys stay out, as on the embedded backend
      const where = spec.sparse ? ` WHERE ${paths.filter((p) => p !== '_id').map((p) => `${jsonAt(p)} IS NOT NULL`).join(' AND ') || 'TRUE'}` : '';
      await this.pool
        .query(`CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${ident(indexName(collection, name))} ON ${ident(collection)} (${columns})${where}`)
        .catch(ignoreConcurrentCreate);
    }
  }

  async dropIndex(collection: string, name: string): Promise<void> {
    await this.pool.query(`DROP INDEX IF EXISTS ${ident(indexName(collection, name))}`);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.changes?.close();
    await this.pool.end();
  }

  /** Removes the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    if (this.schema !== 'public') await this.pool.query(`DROP SCHEMA IF EXISTS ${ident(this.schema)} CASCADE`);
  }
}

/** PostgreSQL names are at most 63 bytes: long ones keep a readable start and a hash. */
function indexName(collection: string, name: string): string {
  const full = `${collection}__${name}`.replace(/[^A-Za-z0-9_]/g, '_');
  if (full.length <= 63) return full;
  let h = 0;
  for (const c of full) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${full.slice(0, 54)}_${h.toString(16).padStart(8, '0')}`;
}

/** Two processes creating the same table, index or schema at once: the loser sees a duplicate. */
function ignoreConcurrentCreate(err: unknown): void {
  const code = (err as { code?: string }).code;
  if (code === '23505' || code === '42P07' || code === '42P06') return;
  throw err;
}

function rowToDoc<T>(row: { id: string; doc: Record<string, unknown> }): T {
  return { _id: row.id, ...row.doc } as T;
}

function docBody(doc: Doc): string {
  const { _id: _ignored, ...rest } = doc as Doc & Record<string, unknown>;
  return JSON.stringify(rest);
}

class PgCollection<T extends Doc> implements Collection<T> {
  constructor(
    readonly name: string,
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  private get table(): string {
    return ident(this.name);
  }

  private guard(err: unknown): never {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505') throw new DuplicateKeyError(this.name, e.constraint ?? 'unknown');
    throw err;
  }

  async insertOne(doc: T): Promise<T> {
    await this.ready();
    await this.pool.query(`INSERT INTO ${this.table} (id, doc) VALUES ($1, $2::jsonb)`, [doc._id, docBody(doc)]).catch((e) => this.guard(e));
    return doc;
  }

  async insertMany(docs: T[]): Promise<T[]> {
    if (docs.length === 0) return docs;
    await this.ready();
    const values = docs.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}::jsonb)`).join(', ');
    const params = docs.flatMap((d) => [d._id, docBody(d)]);
    try {
      await this.pool.query(`INSERT INTO ${this.table} (id, doc) VALUES ${values}`, params);
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      // ordered semantics: keep those before the first duplicate, none after it
      for (const doc of docs) await this.insertOne(doc);
    }
    return docs;
  }

  async findOne(filter: Filter, options: { sort?: Sort } = {}): Promise<T | null> {
    return (await this.find(filter, { ...options, limit: 1 }))[0] ?? null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    await this.ready();
    const where = whereClause(filter);
    let sql = `SELECT id, doc FROM ${this.table} WHERE ${where.sql}${orderBy(options.sort)}`;
    const params = [...where.params];
    if (options.limit !== undefined) sql += ` LIMIT $${params.push(options.limit)}`;
    if (options.skip) sql += ` OFFSET $${params.push(options.skip)}`;
    const res = await this.pool.query(sql, params);
    return res.rows.map((row) => rowToDoc<T>(row));
  }

  async countDocuments(filter: Filter): Promise<number> {
    await this.ready();
    const where = whereClause(filter);
    const res = await this.pool.query(`SELECT count(*)::int AS n FROM ${this.table} WHERE ${where.sql}`, where.params);
    return res.rows[0].n as number;
  }

  async updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    const r = await this.modify(filter, update, { upsert: options.upsert ?? false, limit: 1, skipLocked: false });
    return { matched: r.matched, modified: r.modified, upsertedId: r.upsertedId };
  }

  async updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    const r = await this.modify(filter, update, { upsert: false, skipLocked: false });
    return { matched: r.matched, modified: r.modified, upsertedId: null };
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: FindOneAndUpdateOptions = {}): Promise<T | null> {
    // a claim skips rows another process is claiming; an upsert must see them, or it would insert twice
    const r = await this.modify(filter, update, { upsert: options.upsert ?? false, limit: 1, sort: options.sort, skipLocked: !options.upsert });
    if (r.docs.length === 0) return null;
    const [before, after] = r.docs[0]!;
    return (options.returnDocument ?? 'after') === 'after' ? after : before;
  }

  async deleteOne(filter: Filter): Promise<number> {
    await this.ready();
    const where = whereClause(filter);
    const res = await this.pool.query(`DELETE FROM ${this.table} WHERE id IN (SELECT id FROM ${this.table} WHERE ${where.sql} LIMIT 1)`, where.params);
    return res.rowCount ?? 0;
  }

  async deleteMany(filter: Filter): Promise<number> {
    await this.ready();
    const where = whereClause(filter);
    const res = await this.pool.query(`DELETE FROM ${this.table} WHERE ${where.sql}`, where.params);
    return res.rowCount ?? 0;
  }

  /** Locks the matching rows, applies the update in JavaScript (documents.ts) and writes back, in one transaction. */
  private async modify(
    filter: Filter,
    update: Update,
    o: { upsert: boolean; limit?: number; sort?: Sort; skipLocked: boolean },
  ): Promise<{ matched: number; modified: number; upsertedId: string | null; docs: Array<[T | null, T]> }> {
    await this.ready();
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await this.modifyIn(client, filter, update, o);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        // two upserts raced to insert the same document: the loser now finds it and updates it
        if (o.upsert && attempt === 1 && (err as { code?: string }).code === '23505') continue;
        return this.guard(err);
      } finally {
        client.release();
      }
    }
  }

  private async modifyIn(
    db: Queryable,
    filter: Filter,
    update: Update,
    o: { upsert: boolean; limit?: number; sort?: Sort; skipLocked: boolean },
  ): Promise<{ matched: number; modified: number; upsertedId: string | null; docs: Array<[T | null, T]> }> {
    const where = whereClause(filter);
    const params = [...where.params];
    let sql = `SELECT id, doc FROM ${this.table} WHERE ${where.sql}${orderBy(o.sort)}`;
    if (o.limit !== undefined) sql += ` LIMIT $${params.push(o.limit)}`;
    sql += o.skipLocked ? ' FOR UPDATE SKIP LOCKED' : ' FOR UPDATE';
    const rows = (await db.query(sql, params)).rows as Array<{ id: string; doc: Record<string, unknown> }>;
    if (rows.length === 0) {
      if (!o.upsert) return { matched: 0, modified: 0, upsertedId: null, docs: [] };
      const created = applyUpdate(upsertBase(filter), update, true) as Record<string, unknown>;
      const doc = { ...created, _id: typeof created._id === 'string' ? created._id : newId() } as unknown as T;
      await db.query(`INSERT INTO ${this.table} (id, doc) VALUES ($1, $2::jsonb)`, [doc._id, docBody(doc)]);
      return { matched: 0, modified: 0, upsertedId: doc._id, docs: [[null, doc]] };
    }
    const docs: Array<[T | null, T]> = [];
    const changedIds: string[] = [];
    const changedBodies: string[] = [];
    for (const row of rows) {
      const before = rowToDoc<T>(row);
      const after = applyUpdate(rowToDoc<T>(row), update, false);
      docs.push([before, after]);
      const body = docBody(after);
      if (body !== docBody(before)) {
        changedIds.push(row.id);
        changedBodies.push(body);
      }
    }
    if (changedIds.length > 0) {
      await db.query(
        `UPDATE ${this.table} AS t SET doc = u.doc::jsonb FROM unnest($1::text[], $2::text[]) AS u(id, doc) WHERE t.id = u.id`,
        [changedIds, changedBodies],
      );
    }
    return { matched: rows.length, modified: changedIds.length, upsertedId: null, docs };
  }
}
