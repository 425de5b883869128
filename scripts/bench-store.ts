/**
 * npm run bench:store [-- --n 50000 --concurrency 64]
 * Single-document inserts/s, updates/s and indexed queries/s on the embedded
 * backend. Every write is acknowledged only after its transaction is in the
 * WAL (crash-safe against kill -9); see src/store/embedded/store-worker.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SqliteStore } from '../src/store/embedded/sqlite-store.js';
import { newId, type Doc } from '../src/store/port.js';

interface Row extends Doc {
  instance_id: string;
  status: string;
  n: number;
  body: string;
  created_at: number;
}

const { values } = parseArgs({ options: { n: { type: 'string', default: '50000' }, concurrency: { type: 'string', default: '64' }, sync: { type: 'string', default: 'normal' } } });
const N = Number(values.n);
const C = Number(values.concurrency);

async function timed(label: string, count: number, run: () => Promise<void>): Promise<void> {
  const start = performance.now();
  await run();
  const s = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(44)} ${Math.round(count / s).toLocaleString('en-US').padStart(9)} /s   (${count} in ${s.toFixed(2)} s)`);
}

/** `workers` async loops, each awaiting its own operation before issuing the next. */
async function loops(total: number, workers: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) await op(next++);
    }),
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-bench-'));
const store = new SqliteStore(path.join(dir, 'bench.db'), { sync: values.sync === 'full' ? 'full' : 'normal' });
const rows = store.collection<Row>('bench_rows');
await store.ensureIndexes('bench_rows', [{ keys: { instance_id: 1, status: 1, created_at: 1 } }]);
const ids: string[] = [];
const body = 'x'.repeat(200);

console.log(`embedded store (SQLite WAL, synchronous=${values.sync}), ${N} operations, ${C} concurrent callers, ${os.cpus().length} CPUs`);
// Event-loop delay shows stalls (e.g. a checkpoint inside a commit) that throughput hides.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
await timed('insertOne, one caller (await each)', Math.min(N, 20000), () =>
  loops(Math.min(N, 20000), 1, async (i) => {
    const doc = await rows.insertOne({ _id: newId(), instance_id: `i${i % 10}`, status: 'queued', n: i, body, created_at: Date.now() });
    ids.push(doc._id);
  }),
);
await timed(`insertOne, ${C} concurrent callers`, N, () =>
  loops(N, C, async (i) => {
    const doc = await rows.insertOne({ _id: newId(), instance_id: `i${i % 10}`, status: 'queued', n: i, body, created_at: Date.now() });
    ids.push(doc._id);
  }),
);
await timed(`updateOne by _id, ${C} concurrent callers`, N, () => loops(N, C, (i) => rows.updateOne({ _id: ids[i % ids.length] }, { $set: { status: 'sent' }, $inc: { n: 1 } })));
await timed(`findOneAndUpdate claim (indexed), ${C} callers`, Math.min(N, 20000), () =>
  loops(Math.min(N, 20000), C, (i) => rows.findOneAndUpdate({ instance_id: `i${i % 10}`, status: 'queued' }, { $set: { status: 'sending' } }, { sort: { created_at: 1 } })),
);
await timed(`findOne by _id, ${C} concurrent callers`, N, () => loops(N, C, (i) => rows.findOne({ _id: ids[(i * 7919) % ids.length] })));
await timed(`find indexed (instance,status) limit 20, ${C} callers`, Math.min(N, 20000), () =>
  loops(Math.min(N, 20000), C, (i) => rows.find({ instance_id: `i${i % 10}`, status: 'sent' }, { sort: { created_at: 1 }, limit: 20 })),
);
delay.disable();
const ms = (ns: number) => (ns / 1e6).toFixed(1);
console.log(`event-loop delay: p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`);
const wal = fs.statSync(path.join(dir, 'bench.db-wal'), { throwIfNoEntry: false });
console.log(`WAL file at the end: ${((wal?.size ?? 0) / 1e6).toFixed(1)} MB (checkpointed by a worker thread)`);
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
