/**
 * One contract for every backend of the persistence port. The embedded
 * backend always runs; PostgreSQL runs when it is reachable, MongoDB when
 * MONGODB_URI is set. Beyond the Collection API, each capability a backend
 * claims (StoreCapabilities) is checked; one it does not claim is reported
 * as a skipped test.
 */
import { expect } from 'chai';
import {
  CRASH_TURN_WRITES,
  crashTurn,
  onEveryBackend,
  openSpec,
  type CrashTurnDoc,
  type OpenBackend,
  type OpenedBackend,
} from '../test-support/store-backends.js';
import { DuplicateKeyError, newId, type Collection, type Doc, type Store, type StoreCapabilities } from './port.js';

interface Item extends Doc {
  name: string;
  n?: number | null;
  tag?: string;
  flag?: boolean;
  nested?: { a?: number; b?: string };
  list?: number[];
  created_at?: number;
}

function contract(label: string, open: OpenBackend) {
  describe(`store contract: ${label}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let items: Collection<Item>;
    let seq = 0;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      const name = `items_${Date.now()}_${seq++}`;
      items = store.collection<Item>(name);
      await store.ensureIndexes(name, [
        { keys: { name: 1 }, unique: true },
        { keys: { tag: 1, n: -1 } },
        { keys: { 'nested.b': 1 }, unique: true, sparse: true },
      ]);
    });
    afterEach(async () => cleanup());

    async function seed() {
      await items.insertMany([
        { _id: newId(), name: 'a', n: 1, tag: 'x', flag: true, nested: { a: 1 }, created_at: 100 },
        { _id: newId(), name: 'b', n: 2, tag: 'x', flag: false, nested: { a: 2 }, created_at: 200 },
        { _id: newId(), name: 'c', n: 3, tag: 'y', nested: { a: 3 }, created_at: 300 },
        { _id: newId(), name: 'd', n: null, tag: 'y', created_at: 400 },
        { _id: newId(), name: 'e', tag: 'z', created_at: 500 },
      ]);
    }
    const names = (docs: Item[]) => docs.map((d) => d.name);

    it('inserts, reads back by id and deletes', async () => {
      const doc = await items.insertOne({ _id: newId(), name: 'one', n: 1, nested: { a: 5, b: 'q' }, list: [1, 2] });
      const found = await items.findOne({ _id: doc._id });
      expect(found).to.deep.equal(doc);
      expect(await items.deleteOne({ _id: doc._id })).to.equal(1);
      expect(await items.findOne({ _id: doc._id })).to.equal(null);
      expect(await items.deleteOne({ _id: doc._id })).to.equal(0);
    });

    it('filters with equality, comparison, $in/$nin, $ne, $exists, null and booleans', async () => {
      await seed();
      expect(names(await items.find({ tag: 'x' }, { sort: { name: 1 } }))).to.deep.equal(['a', 'b']);
      expect(names(await items.find({ n: { $gte: 2 } }, { sort: { name: 1 } }))).to.deep.equal(['b', 'c']);
      expect(names(await items.find({ n: { $gt: 1, $lt: 3 } }))).to.deep.equal(['b']);
      expect(names(await items.find({ tag: { $in: ['y', 'z'] } }, { sort: { name: 1 } }))).to.deep.equal(['c', 'd', 'e']);
      expect(names(await items.find({ tag: { $nin: ['x'] } }, { sort: { name: 1 } }))).to.deep.equal(['c', 'd', 'e']);
      expect(names(await items.find({ n: { $ne: 1 } }, { sort: { name: 1 } }))).to.deep.equal(['b', 'c', 'd', 'e']);
      expect(names(await items.find({ n: null }, { sort: { name: 1 } }))).to.deep.equal(['d', 'e']);
      expect(names(await items.find({ n: { $exists: true } }, { sort: { name: 1 } }))).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(names(await items.find({ n: { $exists: false } }))).to.deep.equal(['e']);
      expect(names(await items.find({ flag: true }))).to.deep.equal(['a']);
      expect(names(await items.find({ flag: false }))).to.deep.equal(['b']);
      expect(names(await items.find({ flag: { $ne: true } }, { sort: { name: 1 } }))).to.deep.equal(['b', 'c', 'd', 'e']);
      expect(names(await items.find({ 'nested.a': { $lte: 2 } }, { sort: { name: 1 } }))).to.deep.equal(['a', 'b']);
      expect(names(await items.find({ $or: [{ name: 'a' }, { n: 3 }] }, { sort: { name: 1 } }))).to.deep.equal(['a', 'c']);
      expect(names(await items.find({ $and: [{ tag: 'y' }, { n: { $exists: true } }] }))).to.deep.equal(['c', 'd']);
      // comparisons never match across types
      expect(names(await items.find({ name: { $gt: 1 } as never }))).to.deep.equal([]);
      expect(await items.countDocuments({ tag: 'x' })).to.equal(2);
      expect(await items.countDocuments({})).to.equal(5);
    });

    it('sorts on several keys and paginates with skip and limit', async () => {
      await seed();
      expect(names(await items.find({}, { sort: { tag: -1, n: -1 } }))).to.deep.equal(['e', 'c', 'd', 'b', 'a']);
      expect(names(await items.find({}, { sort: { created_at: 1 }, skip: 1, limit: 2 }))).to.deep.equal(['b', 'c']);
      expect(names(await items.find({}, { sort: { created_at: -1 }, skip: 4, limit: 2 }))).to.deep.equal(['a']);
      expect(names(await items.find({}, { sort: { created_at: 1 }, skip: 10 }))).to.deep.equal([]);
      const first = await items.findOne({ tag: 'y' }, { sort: { created_at: -1 } });
      expect(first?.name).to.equal('d');
    });

    it('applies $set, $unset, $inc, $push and reports matched/modified', async () => {
      const doc = await items.insertOne({ _id: newId(), name: 'u', n: 1, nested: { a: 1 } });
      const r = await items.updateOne({ _id: doc._id }, { $set: { 'nested.b': 'z', tag: 't' }, $inc: { n: 2 }, $push: { list: 7 } });
      expect(r).to.deep.equal({ matched: 1, modified: 1, upsertedId: null });
      await items.updateOne({ _id: doc._id }, { $unset: { tag: true }, $push: { list: 8 } });
      const after = await items.findOne({ _id: doc._id });
      expect(after).to.deep.equal({ _id: doc._id, name: 'u', n: 3, nested: { a: 1, b: 'z' }, list: [7, 8] });
      const same = await items.updateOne({ _id: doc._id }, { $set: { n: 3 } });
      expect(same).to.deep.equal({ matched: 1, modified: 0, upsertedId: null });
      expect((await items.updateOne({ name: 'missing' }, { $set: { n: 1 } })).matched).to.equal(0);
    });

    it('updates many and deletes many', async () => {
      await seed();
      const r = await items.updateMany({ tag: 'y' }, { $set: { flag: true } });
      expect(r.matched).to.equal(2);
      expect(r.modified).to.equal(2);
      expect(await items.countDocuments({ flag: true })).to.equal(3);
      expect(await items.deleteMany({ flag: true })).to.equal(3);
      expect(await items.countDocuments({})).to.equal(2);
    });

    it('counts a status change whose filter pins the old status, and leaves the other documents alone', async () => {
      await seed();
      // the shape of the outbox's status writes: the filter's value is the one the update replaces
      const r = await items.updateMany({ tag: 'x', flag: true }, { $set: { tag: 'done', n: 10 }, $unset: { nested: true } });
      expect(r).to.deep.equal({ matched: 1, modified: 1, upsertedId: null });
      const one = await items.updateOne({ tag: 'y' }, { $unset: { tag: true } });
      expect(one).to.deep.equal({ matched: 1, modified: 1, upsertedId: null });
      expect(await items.updateMany({ tag: 'x', flag: true }, { $set: { tag: 'done' } })).to.deep.include({ matched: 0, modified: 0 });
      expect(names(await items.find({ tag: 'done' }))).to.deep.equal(['a']);
      expect(await items.findOne({ name: 'a' })).to.deep.include({ n: 10, tag: 'done' }).and.not.have.property('nested');
      expect(await items.countDocuments({ tag: 'x' })).to.equal(1);
      expect(await items.countDocuments({ tag: 'y' })).to.equal(1);
    });

    it('upserts with $setOnInsert and string ids', async () => {
      const r = await items.updateOne({ name: 'up' }, { $set: { n: 1 }, $setOnInsert: { tag: 'new' } }, { upsert: true });
      expect(r.upsertedId).to.be.a('string').with.lengthOf(24);
      const doc = await items.findOne({ name: 'up' });
      expect(doc).to.deep.include({ name: 'up', n: 1, tag: 'new', _id: r.upsertedId });
      await items.updateOne({ name: 'up' }, { $set: { n: 2 }, $setOnInsert: { tag: 'again' } }, { upsert: true });
      expect(await items.findOne({ name: 'up' })).to.deep.include({ n: 2, tag: 'new' });
      const viaFind = await items.findOneAndUpdate({ name: 'up2' }, { $inc: { n: 1 } }, { upsert: true });
      expect(viaFind).to.deep.include({ name: 'up2', n: 1 });
      expect(viaFind?._id).to.be.a('string');
    });

    it('drops an index by name, and ignores one that does not exist', async () => {
      const name = items.name;
      await items.insertMany([
        { _id: newId(), name: 'a', nested: { b: 'same' } },
        { _id: newId(), name: 'b' },
      ]);
      try {
        await items.insertOne({ _id: newId(), name: 'c', nested: { b: 'same' } });
        expect.fail('the unique index should refuse the duplicate');
      } catch (err) {
        expect(err).to.be.instanceOf(DuplicateKeyError);
      }
      await store.dropIndex(name, 'nested.b_1');
      await store.dropIndex(name, 'nested.b_1');
      await store.dropIndex(name, 'never_created');
      await store.dropIndex(`absent_${Date.now()}`, 'never_created');
      await items.insertOne({ _id: newId(), name: 'c', nested: { b: 'same' } });
      expect(await items.countDocuments({ 'nested.b': 'same' })).to.equal(2);
    });

    it('enforces unique indexes, including sparse ones', async () => {
      await items.insertOne({ _id: newId(), name: 'dup' });
      let caught: unknown;
      try {
        await items.insertOne({ _id: newId(), name: 'dup' });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(DuplicateKeyError);
      // documents without the sparse field never conflict with each other
      await items.insertOne({ _id: newId(), name: 's1' });
      await items.insertOne({ _id: newId(), name: 's2' });
      await items.insertOne({ _id: newId(), name: 's3', nested: { b: 'k' } });
      caught = undefined;
      try {
        await items.insertOne({ _id: newId(), name: 's4', nested: { b: 'k' } });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(DuplicateKeyError);
      const other = await items.insertOne({ _id: newId(), name: 'other' });
      caught = undefined;
      try {
        await items.updateOne({ _id: other._id }, { $set: { name: 'dup' } });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(DuplicateKeyError);
      expect(await items.countDocuments({ name: 'dup' })).to.equal(1);
      expect(await items.countDocuments({})).to.equal(5);
    });

    it('inserts many in order and stops at the first duplicate, keeping what came before it', async () => {
      await items.insertOne({ _id: newId(), name: 'taken' });
      let caught: unknown;
      try {
        await items.insertMany([
          { _id: newId(), name: 'before' },
          { _id: newId(), name: 'taken' },
          { _id: newId(), name: 'after' },
        ]);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(DuplicateKeyError);
      expect(await items.countDocuments({ name: 'before' })).to.equal(1);
      expect(await items.countDocuments({ name: 'after' }), 'nothing after the duplicate').to.equal(0);
      // a refused first document takes the rest with it (an inbound message and its replies rely on this)
      caught = undefined;
      try {
        await items.insertMany([{ _id: newId(), name: 'taken' }, { _id: newId(), name: 'answer' }]);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(DuplicateKeyError);
      expect(await items.countDocuments({ name: 'answer' })).to.equal(0);
    });

    it('findOneAndUpdate claims atomically in sort order and returns before/after', async () => {
      await seed();
      const before = await items.findOneAndUpdate({ tag: 'x' }, { $set: { tag: 'claimed' } }, { sort: { created_at: 1 }, returnDocument: 'before' });
      expect(before).to.deep.include({ name: 'a', tag: 'x' });
      const after = await items.findOneAndUpdate({ tag: 'x' }, { $set: { tag: 'claimed' } }, { sort: { created_at: 1 } });
      expect(after).to.deep.include({ name: 'b', tag: 'claimed' });
      expect(await items.findOneAndUpdate({ tag: 'x' }, { $set: { tag: 'claimed' } })).to.equal(null);
    });

    it('never lets two concurrent claimers take the same document', async () => {
      const docs = Array.from({ length: 50 }, (_, i) => ({ _id: newId(), name: `job${i}`, tag: 'pending', created_at: i }));
      await items.insertMany(docs);
      const claims = await Promise.all(
        Array.from({ length: 80 }, (_, i) =>
          items.findOneAndUpdate({ tag: 'pending' }, { $set: { tag: `w${i}` } }, { sort: { created_at: 1 } }),
        ),
      );
      const won = claims.filter((c): c is Item => c !== null).map((c) => c.name);
      expect(won).to.have.lengthOf(50);
      expect(new Set(won).size).to.equal(50);
    });

    it('keeps every concurrent $inc on one document', async () => {
      const doc = await items.insertOne({ _id: newId(), name: 'counter', n: 0 });
      await Promise.all(Array.from({ length: 200 }, () => items.updateOne({ _id: doc._id }, { $inc: { n: 1 } })));
      expect((await items.findOne({ _id: doc._id }))?.n).to.equal(200);
    });
  });

  describe(`store capabilities: ${label}`, () => {
    let opened: OpenedBackend;
    let seq = 0;
    const fresh = () => `caps_${Date.now()}_${seq++}`;

    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => opened.cleanup());

    /** Skips the test, visibly, unless the backend claims the capability. */
    function requires(test: Mocha.Context, capability: keyof StoreCapabilities): void {
      if (opened.store.capabilities[capability]) return;
      console.log(`      (${label} does not claim ${capability}: its check is skipped)`);
      test.skip();
    }

    /** A second connection to the same store, closed after `use`. */
    async function withSecondStore(use: (other: Store) => Promise<void>): Promise<void> {
      const other = await openSpec(opened.spec);
      try {
        await use(other);
      } finally {
        await other.close();
      }
    }

    it('names itself and declares every capability', () => {
      expect(opened.store.kind).to.be.a('string').and.not.equal('');
      for (const capability of ['turnCommit', 'sharedAcrossProcesses', 'changeNotification'] as const) {
        expect(opened.store.capabilities[capability], capability).to.be.a('boolean');
      }
    });

    /** What a fresh connection finds of the crash turn: [turn_a's one insert, turn_b's inserts]. */
    async function keptOfTurn(): Promise<[number, number]> {
      let kept: [number, number] = [0, 0];
      await withSecondStore(async (reopened) => {
        kept = [
          await reopened.collection<CrashTurnDoc>('turn_a').countDocuments({}),
          await reopened.collection<CrashTurnDoc>('turn_b').countDocuments({}),
        ];
      });
      return kept;
    }

    // Fails on a backend that commits each write by itself, or whatever has arrived when it is idle:
    // the turn_a insert is acknowledged once its own commit is done, the child dies in that very
    // callback, and the turn_b inserts not committed yet are lost (the control below shows the loss
    // being seen). The embedded store failed it (keeping 63, 127 or 191 of the 200) until its worker
    // kept the transaction open for the rest of a turn sent in chunks.
    it('turnCommit: once one write of a turn is acknowledged, a crash keeps all of them', async function () {
      requires(this, 'turnCommit');
      this.timeout(30_000);
      const { output, signal } = await crashTurn(opened.spec, 'after-first-ack');
      expect(output).to.equal('acknowledged\n');
      expect(signal).to.equal('SIGKILL');
      expect(await keptOfTurn(), `[turn_a, turn_b] kept after the crash, of [1, ${CRASH_TURN_WRITES}]`).to.deep.equal([1, CRASH_TURN_WRITES]);
    });

    it('turnCommit (control): the crash check sees the writes lost when they commit one at a time', async function () {
      requires(this, 'turnCommit');
      this.timeout(30_000);
      const { output, signal } = await crashTurn(opened.spec, 'one-write-at-a-time');
      expect(output).to.equal('acknowledged\n');
      expect(signal).to.equal('SIGKILL');
      const [a, b] = await keptOfTurn();
      expect(a).to.equal(1);
      expect(b).to.be.below(CRASH_TURN_WRITES);
    });

    // Fails on a backend that commits part of a turn before the turn ends: the child is killed while
    // the turn is still running, after the first half of its writes was issued.
    it('turnCommit: a crash in the middle of a turn keeps none of its writes', async function () {
      requires(this, 'turnCommit');
      this.timeout(30_000);
      const { output, signal } = await crashTurn(opened.spec, 'mid-turn');
      expect(output).to.equal('halfway\n');
      expect(signal).to.equal('SIGKILL');
      expect(await keptOfTurn(), '[turn_a, turn_b] kept after the crash').to.deep.equal([0, 0]);
    });

    it('turnCommit: a write that fails in a turn fails alone, and the rest of the turn commits', async function () {
      requires(this, 'turnCommit');
      const name = fresh();
      const items = opened.store.collection<Item>(name);
      await opened.store.ensureIndexes(name, [{ keys: { name: 1 }, unique: true }]);
      await items.insertMany([
        { _id: newId(), name: 'taken', n: 0 },
        { _id: newId(), name: 'kept', n: 0 },
      ]);
      // one turn: every call is issued before any of them can settle
      const outcomes = await Promise.allSettled([
        items.insertOne({ _id: newId(), name: 'first' }),
        items.insertOne({ _id: newId(), name: 'taken' }),
        items.updateOne({ name: 'kept' }, { $inc: { n: 1 } }),
        items.updateOne({ name: 'taken' }, { $inc: { n: 1 } }),
        items.insertOne({ _id: newId(), name: 'last' }),
      ]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).to.be.instanceOf(DuplicateKeyError);
      // read through another connection: what it sees is committed, not just visible to the writer
      await withSecondStore(async (other) => {
        const stored = await other.collection<Item>(name).find({}, { sort: { name: 1 } });
        expect(stored.map((d) => [d.name, d.n ?? null])).to.deep.equal([
          ['first', null],
          ['kept', 1],
          ['last', null],
          ['taken', 1],
        ]);
      });
    });

    it('sharedAcrossProcesses: two stores opened on the same configuration see each other\'s writes', async function () {
      requires(this, 'sharedAcrossProcesses');
      const name = fresh();
      await withSecondStore(async (other) => {
        const mine = opened.store.collection<Item>(name);
        const theirs = other.collection<Item>(name);
        const doc = await mine.insertOne({ _id: newId(), name: 'shared', n: 1 });
        expect(await theirs.findOne({ _id: doc._id })).to.deep.equal(doc);
        await theirs.updateOne({ _id: doc._id }, { $inc: { n: 1 }, $set: { tag: 'theirs' } });
        expect(await mine.findOne({ _id: doc._id })).to.deep.include({ n: 2, tag: 'theirs' });
        expect(await theirs.deleteOne({ _id: doc._id })).to.equal(1);
        expect(await mine.findOne({ _id: doc._id })).to.equal(null);
      });
    });

    it('sharedAcrossProcesses: when two stores race findOneAndUpdate for a document, exactly one wins', async function () {
      requires(this, 'sharedAcrossProcesses');
      const name = fresh();
      await withSecondStore(async (other) => {
        const mine = opened.store.collection<Item>(name);
        const theirs = other.collection<Item>(name);
        for (let round = 0; round < 20; round++) {
          const doc = await mine.insertOne({ _id: newId(), name: `race${round}`, tag: 'free' });
          const [a, b] = await Promise.all([
            mine.findOneAndUpdate({ _id: doc._id, tag: 'free' }, { $set: { tag: 'mine' } }),
            theirs.findOneAndUpdate({ _id: doc._id, tag: 'free' }, { $set: { tag: 'theirs' } }),
          ]);
          expect([a, b].filter((won) => won !== null), `round ${round}`).to.have.lengthOf(1);
          expect((await theirs.findOne({ _id: doc._id }))?.tag).to.equal(a ? 'mine' : 'theirs');
        }
        // many claimers on each side, in sort order: every document is taken exactly once
        await mine.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: newId(), name: `job${i}`, tag: 'pending', created_at: i })));
        const claim = (coll: Collection<Item>, who: string) =>
          Array.from({ length: 40 }, () => coll.findOneAndUpdate({ tag: 'pending' }, { $set: { tag: who } }, { sort: { created_at: 1 } }));
        const claims = await Promise.all([...claim(mine, 'mine'), ...claim(theirs, 'theirs')]);
        const won = claims.filter((c): c is Item => c !== null).map((c) => c.name);
        expect(won).to.have.lengthOf(50);
        expect(new Set(won).size).to.equal(50);
      });
    });

    it('changeNotification: offers watch exactly when it claims change notification', () => {
      expect(typeof opened.store.watch === 'function').to.equal(opened.store.capabilities.changeNotification);
    });

    /** Counts a watcher's calls; `next()` waits for the first call after it is asked. */
    function counting() {
      let calls = 0;
      let wake: (() => void) | null = null;
      return {
        onChange: () => {
          calls++;
          wake?.();
        },
        get calls() {
          return calls;
        },
        /** Resolves with the milliseconds until the next call; rejects after 5 s. */
        async next(write: () => Promise<unknown>): Promise<number> {
          const before = calls;
          const called = new Promise<void>((resolve) => (wake = () => calls > before && resolve()));
          const started = performance.now();
          await write();
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no change notification within 5 s')), 5000)));
          try {
            await Promise.race([called, late]);
          } finally {
            clearTimeout(timer);
            wake = null;
          }
          return performance.now() - started;
        },
      };
    }

    /** Watchers may be called once when they start (a call may stand for no write): let that pass. */
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

    it('changeNotification: watch reports inserts, updates and deletes made through another store on the same configuration', async function () {
      requires(this, 'changeNotification');
      const name = fresh();
      const watcher = counting();
      const stop = opened.store.watch!(name, watcher.onChange);
      try {
        await settle();
        await withSecondStore(async (other) => {
          const theirs = other.collection<Item>(name);
          const doc = { _id: newId(), name: 'news', n: 1 };
          const waited = [
            await watcher.next(() => theirs.insertOne(doc)),
            await watcher.next(() => theirs.updateOne({ _id: doc._id }, { $inc: { n: 1 } })),
            await watcher.next(() => theirs.deleteOne({ _id: doc._id })),
          ];
          // this store's own writes are reported too
          waited.push(await watcher.next(() => opened.store.collection<Item>(name).insertOne({ _id: newId(), name: 'mine' })));
          console.log(`      (${label}: notified ${waited.map((ms) => ms.toFixed(1)).join(', ')} ms after each write was issued)`);
        });
      } finally {
        stop();
      }
    });

    it('changeNotification: a stopped watcher is not called again, and other collections do not call it', async function () {
      requires(this, 'changeNotification');
      const name = fresh();
      const elsewhere = fresh();
      const stopped = counting();
      const running = counting();
      const stop = opened.store.watch!(name, stopped.onChange);
      const stopRunning = opened.store.watch!(name, running.onChange);
      const stopElsewhere = opened.store.watch!(elsewhere, () => undefined);
      try {
        await settle();
        await withSecondStore(async (other) => {
          await stopped.next(() => other.collection<Item>(name).insertOne({ _id: newId(), name: 'one' }));
          await settle();
          stop();
          const before = stopped.calls;
          // the running watcher shows the write was heard; the stopped one stays silent
          await running.next(() => other.collection<Item>(name).insertOne({ _id: newId(), name: 'two' }));
          await other.collection<Item>(elsewhere).insertOne({ _id: newId(), name: 'three' });
          await settle();
          expect(stopped.calls, 'calls after stop').to.equal(before);
          const beforeElsewhere = running.calls;
          await other.collection<Item>(elsewhere).insertOne({ _id: newId(), name: 'four' });
          await settle();
          expect(running.calls, 'calls for a write to another collection').to.equal(beforeElsewhere);
        });
      } finally {
        stop();
        stopRunning();
        stopElsewhere();
      }
    });

    it('changeNotification: a store on another configuration (another schema or database) does not hear the writes', async function () {
      requires(this, 'changeNotification');
      const name = fresh();
      const neighbour = await open();
      const watcher = counting();
      const stop = opened.store.watch!(name, watcher.onChange);
      try {
        await settle();
        await watcher.next(() => opened.store.collection<Item>(name).insertOne({ _id: newId(), name: 'here' }));
        await settle();
        const before = watcher.calls;
        await neighbour.store.collection<Item>(name).insertOne({ _id: newId(), name: 'there' });
        await neighbour.store.collection<Item>(name).deleteMany({});
        await settle();
        expect(watcher.calls).to.equal(before);
      } finally {
        stop();
        await neighbour.cleanup();
      }
    });
  });
}

onEveryBackend('store contract', contract);
