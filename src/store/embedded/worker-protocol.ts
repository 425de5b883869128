/**
 * The messages between the store's main-thread face (sqlite-store.ts) and
 * the thread that owns the SQLite connection (store-worker.ts).
 *
 * Documents cross as JSON text, not as objects: the main thread serialises
 * what it inserts and parses what it reads, exactly the work it did when
 * SQLite ran on it, and the worker binds and returns strings without ever
 * building an object for them. Filters, updates and results are small and
 * cross by structured clone.
 */
import { DuplicateKeyError, type Filter, type FindOneAndUpdateOptions, type FindOptions, type IndexSpec, type Update } from '../port.js';

export type StoreOp =
  | { op: 'insert'; c: string; rows: [id: string, json: string][] }
  | { op: 'find'; c: string; filter: Filter; options: FindOptions }
  | { op: 'count'; c: string; filter: Filter }
  | { op: 'updateOne'; c: string; filter: Filter; update: Update; upsert: boolean }
  | { op: 'updateMany'; c: string; filter: Filter; update: Update }
  | { op: 'findOneAndUpdate'; c: string; filter: Filter; update: Update; options: FindOneAndUpdateOptions }
  | { op: 'deleteOne'; c: string; filter: Filter }
  | { op: 'deleteMany'; c: string; filter: Filter }
  | { op: 'ensureIndexes'; c: string; specs: IndexSpec[] }
  | { op: 'dropIndex'; c: string; name: string }
  | { op: 'ping' };

/** Whether an operation must run inside the write transaction. */
export function writes(op: StoreOp): boolean {
  return op.op !== 'find' && op.op !== 'count' && op.op !== 'ping';
}

export interface StoreOptions {
  sync?: 'normal' | 'full';
}

export interface WorkerInit {
  file: string;
  options: StoreOptions;
  /** The worker module's URL. */
  entry: string;
  /** tsx's ESM API, when the worker is TypeScript. */
  tsx: string | null;
}

/**
 * Main → worker. A batch with `more` is a chunk sent ahead while its
 * event-loop turn still runs: the transaction must stay open until a batch
 * without it ends the turn, so the turn's writes commit together.
 */
export type ToWorker = { kind: 'batch'; seq: number; ops: StoreOp[]; more: boolean } | { kind: 'close' };

/**
 * A batch's outcomes: one value per operation, and the errors (plain data)
 * by position, usually none — fewer objects to clone than one per operation.
 */
export interface BatchResult {
  seq: number;
  values: unknown[];
  errors: Record<number, WireError> | null;
}

/** Worker → main. */
export type FromWorker =
  | { kind: 'done'; batches: BatchResult[] }
  | { kind: 'batchFailed'; seqs: number[]; error: WireError }
  | { kind: 'fatal'; error: WireError };

export interface WireError {
  message: string;
  code?: string;
  duplicateKey?: { collection: string; index: string };
}

export function toWire(err: unknown): WireError {
  if (err instanceof DuplicateKeyError) return { message: err.message, duplicateKey: { collection: err.collection, index: err.index } };
  const e = err as { message?: unknown; code?: unknown };
  return { message: typeof e?.message === 'string' ? e.message : String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

export function fromWire(wire: WireError): Error {
  if (wire.duplicateKey) return new DuplicateKeyError(wire.duplicateKey.collection, wire.duplicateKey.index);
  const err = new Error(wire.message) as Error & { code?: string };
  if (wire.code) err.code = wire.code;
  return err;
}
