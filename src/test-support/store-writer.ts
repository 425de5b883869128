/**
 * Child process for the kill -9 durability test: inserts and updates
 * documents as fast as it can and prints each id once its write is
 * acknowledged. The parent kills it with SIGKILL mid-stream.
 */
import { SqliteStore } from '../store/embedded/sqlite-store.js';
import { newId, type Doc } from '../store/port.js';

interface Item extends Doc {
  n: number;
  touched: boolean;
}

const store = new SqliteStore(process.argv[2]);
const items = store.collection<Item>('crash_items');
let n = 0;

async function writer(): Promise<void> {
  for (;;) {
    const doc = await items.insertOne({ _id: newId(), n: n++, touched: false });
    await items.updateOne({ _id: doc._id }, { $set: { touched: true } });
    process.stdout.write(`${doc._id}\n`);
  }
}

for (let i = 0; i < 16; i++) void writer();
