import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { SqliteStore } from './sqlite-store.js';

describe('embedded store: documents stored as JSONB', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-jsonb-'));
    file = path.join(dir, 'tucan.db');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const storageOf = (id: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT typeof(doc) AS t FROM "c_items" WHERE id = ?').get(id) as { t: string }).t;
    } finally {
      db.close();
    }
  };

  it('stores new documents as JSONB and gives them back as they were written', async () => {
    const store = new SqliteStore(file);
    const doc = { _id: 'a1', status: 'queued', text: 'línea "1"\n\\ 👍 \u2028', n: 1_763_700_000_000, ratio: 0.1, nested: { list: [1, null, true, {}] } };
    await store.collection('items').insertOne(doc);
    expect(await store.collection('items').findOne({ _id: 'a1' })).to.deep.equal(doc);
    await store.close();
    expect(storageOf('a1')).to.equal('blob');
  });

  it('reads, indexes and updates rows an older version wrote as text, which become JSONB when written', async () => {
    let store = new SqliteStore(file);
    await store.ensureIndexes('items', [{ keys: { name: 1 }, unique: true }]);
    await store.close();
    // what a version before JSONB storage left in the file
    const db = new Database(file);
    db.prepare('INSERT INTO "c_items" (id, doc) VALUES (?, ?)').run('old', JSON.stringify({ _id: 'old', name: 'legacy', status: 'queued', n: 3 }));
    db.close();

    store = new SqliteStore(file);
    const items = store.collection<{ _id: string; name: string; status: string; n: number }>('items');
    expect(await items.findOne({ name: 'legacy' })).to.deep.equal({ _id: 'old', name: 'legacy', status: 'queued', n: 3 });
    // the unique index compares old text rows and new JSONB rows by value
    const dup = await items.insertOne({ _id: 'new', name: 'legacy', status: 'queued', n: 1 }).catch((err: Error) => err);
    expect(dup).to.have.property('name', 'DuplicateKeyError');
    // a change that changes nothing is not counted as one, whatever the row's storage
    expect(await items.updateOne({ _id: 'old' }, { $set: { status: 'queued', n: 3 } })).to.deep.include({ matched: 1, modified: 0 });
    expect(await items.updateOne({ _id: 'old' }, { $set: { status: 'sent' }, $inc: { n: 1 } })).to.deep.include({ matched: 1, modified: 1 });
    expect(await items.findOne({ name: 'legacy' })).to.deep.equal({ _id: 'old', name: 'legacy', status: 'sent', n: 4 });
    expect(await items.updateOne({ _id: 'old' }, { $set: { status: 'sent' } })).to.deep.include({ matched: 1, modified: 0 });
    await store.close();
    expect(storageOf('old')).to.equal('blob');
  });
});
