/**
 * WAL checkpoints off the main thread. SQLite's automatic checkpoint runs
 * inside whichever commit crosses the threshold — on the event loop, with
 * two fsyncs — and stalled request handling by tens of milliseconds
 * (measured: commit p99 31 ms stock vs 6 ms with this worker). Instead the
 * main connection never checkpoints on its own, and this worker thread, with
 * its own connection, runs PASSIVE checkpoints (which never block writers).
 *
 * Under sustained writes a PASSIVE checkpoint never catches the moving end
 * of the log, so the WAL would never restart and would grow without bound.
 * The worker therefore reports the log size; past `maxWalFrames` the store
 * checkpoints the (already mostly copied) tail itself between two commits,
 * which lets the next write restart the WAL.
 *
 * Every 50 ms: that store-side checkpoint runs on the store's thread, in
 * the way of every write, and costs what this worker has not copied yet. At
 * 250 ms the pipeline benchmark ran ~3 % slower (interleaved pairs), at
 * 40 ms no faster; on an idle database a PASSIVE checkpoint only reads the
 * WAL header.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const run = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (msg) => { if (msg === 'stop') { clearInterval(timer); run(); db.close(); process.exit(0); } });
`;

export interface CheckpointReport {
  log?: number;
  checkpointed?: number;
  error?: string;
}

export class Checkpointer {
  private readonly worker: Worker;

  constructor(file: string, onReport: (report: CheckpointReport) => void, intervalMs = 50) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
    this.worker.on('message', onReport);
    this.worker.unref();
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    await exited;
  }
}
