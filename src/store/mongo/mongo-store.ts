/**
 * The MongoDB backend: the port maps almost one to one onto the official
 * driver. Ids are stored as hex strings (not ObjectId values) so documents
 * look the same on both backends.
 */
import { MongoClient, MongoServerError, type Db, type Collection as DriverCollection, type Document } from 'mongodb';
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
import { watchCollection } from './change-watch.js';

export class MongoStore implements Store {
  readonly kind = 'mongodb';
  /** Each write commits on its own; any number of processes may share the database; changes are told where change streams exist. */
  readonly capabilities: StoreCapabilities;
  readonly watch?: (collection: string, onChange: () => void) => () => void;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    changeStreams: boolean,
  ) {
    this.capabilities = { turnCommit: false, sharedAcrossProcesses: true, changeNotification: changeStreams };
    if (changeStreams) this.watch = (collection, onChange) => watchCollection(this.db.collection(collection), onChange);
  }

  static async connect(uri: string, dbName?: string): Promise<MongoStore> {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    // change streams need a replica set (setName) or a sharded cluster (mongos answers 'isdbgrid'); a standalone server is polled
    const hello = await client.db('admin').command({ hello: 1 });
    return new MongoStore(client, client.db(dbName), Boolean(hello.setName) || hello.msg === 'isdbgrid');
  }

  collection<T extends Doc>(name: string): Collection<T> {
    return new MongoCollection<T>(name, this.db.collection(name));
  }

  async ensureIndexes(collection: string, specs: IndexSpec[]): Promise<void> {
    const coll = this.db.collection(collection);
    for (const spec of specs) {
      const paths = Object.keys(spec.keys);
      await coll.createIndex(spec.keys, {
        unique: spec.unique ?? false,
        name: spec.name ?? paths.map((p) => `${p}_${spec.keys[p]}`).join('_'),
        // A compound sparse index only skips documents missing *all* keys; the
        // embedded backend skips documents missing *any*, so say that explicitly.
        ...(spec.sparse ? { partialFilterExpression: Object.fromEntries(paths.map((p) => [p, { $exists: true }])) } : {}),
      });
    }
  }

  async dropIndex(collection: string, name: string): Promise<void> {
    try {
      await this.db.collection(collection).dropIndex(name);
    } catch (err) {
      // 26 NamespaceNotFound (no such collection), 27 IndexNotFound: nothing to drop
      if (err instanceof MongoServerError && (err.code === 26 || err.code === 27)) return;
      throw err;
    }
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function duplicateGuard(collection: string) {
  return (err: unknown): never => {
    if (err instanceof MongoServerError && err.code === 11000) {
      const index = /index: (\S+)/.exec(err.message)?.[1] ?? 'unknown';
      throw new DuplicateKeyError(collection, index);
    }
    throw err;
  };
}

/** Upserts must produce string ids, not the driver's ObjectId default. */
function withStringId(filter: Filter, update: Update): Update {
  if (typeof filter._id === 'string') return update;
  return { ...update, $setOnInsert: { _id: newId(), ...(update.$setOnInsert ?? {}) } };
}

class MongoCollection<T extends Doc> implements Collection<T> {
  private readonly onError: (err: unknown) => never;

  constructor(
    readonly name: string,
    private readonly coll: DriverCollection<Document>,
  ) {
    this.onError = duplicateGuard(name);
  }

  async insertOne(doc: T): Promise<T> {
    await this.coll.insertOne({ ...doc } as unknown as Document).catch(this.onError);
    return doc;
  }

  async insertMany(docs: T[]): Promise<T[]> {
    if (docs.length > 0) await this.coll.insertMany(docs.map((d) => ({ ...d }) as unknown as Document)).catch(this.onError);
    return docs;
  }

  async findOne(filter: Filter, options: { sort?: Sort } = {}): Promise<T | null> {
    return (await this.coll.findOne(filter as Document, { sort: options.sort })) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    let cursor = this.coll.find(filter as Document);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return (await cursor.toArray()) as unknown as T[];
  }

  countDocuments(filter: Filter): Promise<number> {
    return this.coll.countDocuments(filter as Document);
  }

  async updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    const u = options.upsert ? withStringId(filter, update) : update;
    const r = await this.coll.updateOne(filter as Document, u as Document, { upsert: options.upsert ?? false }).catch(this.onError);
    return { matched: r.matchedCount, modified: r.modifiedCount, upsertedId: (r.upsertedId as unknown as string | null) ?? null };
  }

  async updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    const r = await this.coll.updateMany(filter as Document, update as Document).catch(this.onError);
    return { matched: r.matchedCount, modified: r.modifiedCount, upsertedId: null };
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: FindOneAndUpdateOptions = {}): Promise<T | null> {
    const u = options.upsert ? withStringId(filter, update) : update;
    const doc = await this.coll
      .findOneAndUpdate(filter as Document, u as Document, {
        sort: options.sort,
        upsert: options.upsert ?? false,
        returnDocument: options.returnDocument ?? 'after',
      })
      .catch(this.onError);
    return doc as T | null;
  }

  async deleteOne(filter: Filter): Promise<number> {
    return (await this.coll.deleteOne(filter as Document)).deletedCount;
  }

  async deleteMany(filter: Filter): Promise<number> {
    return (await this.coll.deleteMany(filter as Document)).deletedCount;
  }
}
