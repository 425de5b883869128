/**
 * The thread that owns the embedded store's SQLite connection, so SQLite's
 * work (B-tree updates, JSON index expressions, commits) runs beside the
 * event loop on the second core instead of inside it.
 *
 * Group commit: batches arriving while a transaction is open join it; the
 * transaction commits once the thread has nothing more queued
 * (setImmediate) and the last batch did not announce more of its turn
 * (`more`), and only then are the results of every batch in it sent back.
 * So the operations of one event-loop turn of the main thread commit
 * together even when they arrive in several chunks (the store's turnCommit
 * capability). The main thread resolves an operation's promise on that
 * message, so nothing a crash could still take away is ever acknowledged —
 * reads included, since they report what is about to be committed.
 *
 * No savepoint per operation: each writes with single statements, and SQLite
 * undoes only the statement that fails (e.g. a unique violation), leaving the
 * transaction open for its neighbours — the same non-atomic semantics MongoDB
 * gives insertMany/updateMany.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Checkpointer } from './checkpointer.js';
import { SqliteEngine } from './sqlite-engine.js';
import { toWire, writes, type BatchResult, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

/**
 * Operations one transaction may gather while more keep arriving; past it
 * the transaction commits as soon as the turn in progress has fully arrived,
 * so a steady stream of work cannot hold every result back.
 */
const MAX_TRANSACTION_OPS = 2048;
/** How long the WAL may grow before this thread checkpoints it itself (see boundWal). */
const MAX_WAL_BYTES = 64 * 1024 * 1024;

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (msg: FromWorker) => port.postMessage(msg);

let engine: SqliteEngine;
try {
  engine = new SqliteEngine(init.file, init.options);
} catch (err) {
  send({ kind: 'fatal', error: toWire(err) });
  throw err;
}
/** MAX_WAL_BYTES in frames of this file's page size (new files use 16 KiB pages, older ones 4 KiB). */
const MAX_WAL_FRAMES = Math.floor(MAX_WAL_BYTES / (engine.db.pragma('page_size', { simple: true }) as number));

/** WAL length in frames, as last reported by the checkpointer. */
let walFrames = 0;
/**
 * Started once the WAL passes CHECKPOINTER_AFTER_BYTES: a thread of its own
 * costs ~12 MB, which an idle or lightly used server need not hold (its
 * small WAL is checkpointed when the store closes).
 */
let checkpointer: Checkpointer | null = null;
const CHECKPOINTER_AFTER_BYTES = 4 * 1024 * 1024;
const WAL_FILE = `${init.file}-wal`;

let open = false;
let scheduled = false;
/** The last batch announced more of its turn: no commit until the turn's last batch. */
let turnOpen = false;
let opsInTransaction = 0;
let done: BatchResult[] = [];

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'close') {
    finish();
    void Promise.resolve(checkpointer?.stop()).then(() => {
      engine.close();
      // ends this thread only; the main thread waits for its exit
      process.exit(0);
    });
    return;
  }
  const values: unknown[] = new Array(msg.ops.length);
  let errors: BatchResult['errors'] = null;
  for (let i = 0; i < msg.ops.length; i++) {
    const op = msg.ops[i];
    if (!open && writes(op)) {
      engine.db.exec('BEGIN IMMEDIATE');
      open = true;
    }
    try {
      values[i] = engine.execute(op);
    } catch (err) {
      (errors ??= {})[i] = toWire(err);
    }
  }
  done.push({ seq: msg.seq, values, errors });
  opsInTransaction += msg.ops.length;
  turnOpen = msg.more;
  // the turn's last batch schedules the commit (one scheduled before, for an earlier turn, waits for it)
  if (turnOpen) return;
  if (opsInTransaction >= MAX_TRANSACTION_OPS) finish();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (!turnOpen) finish();
    });
  }
});

function finish(): void {
  opsInTransaction = 0;
  const batches = done;
  done = [];
  if (open) {
    open = false;
    try {
      engine.db.exec('COMMIT');
    } catch (err) {
      try {
        engine.db.exec('ROLLBACK');
      } catch {
        // the failed COMMIT may already have rolled back
      }
      send({ kind: 'batchFailed', seqs: batches.map((b) => b.seq), error: toWire(err) });
      return;
    }
    boundWal();
  }
  if (batches.length > 0) send({ kind: 'done', batches });
}

/**
 * Under sustained writes a PASSIVE checkpoint never catches the moving end
 * of the log; past the bound this connection checkpoints the (already
 * mostly copied) tail itself between two commits, so the next write can
 * restart the WAL. One attempt per report from the checkpointer.
 */
function boundWal(): void {
  if (!checkpointer) {
    if (init.file !== ':memory:' && (fs.statSync(WAL_FILE, { throwIfNoEntry: false })?.size ?? 0) > CHECKPOINTER_AFTER_BYTES) {
      checkpointer = new Checkpointer(init.file, (report) => {
        if (report.log !== undefined) walFrames = report.log;
      });
    }
    return;
  }
  if (walFrames <= MAX_WAL_FRAMES) return;
  walFrames = 0;
  engine.db.pragma('wal_checkpoint(PASSIVE)');
}
