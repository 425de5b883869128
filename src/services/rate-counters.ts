/**
 * Where the per-IP rate limits count requests. In memory when the store
 * serves one process. When several processes share a PostgreSQL store, in a
 * table of that database (rate-limiter-flexible's RateLimiterPostgres), so a
 * client spreading its requests over the nodes meets one limit; a store read
 * that fails or takes over TIMEOUT_MS counts in memory instead (the
 * insurance limiter), so a database hiccup loosens the limit for a moment
 * but never fails a request. Other shared stores count per process.
 */
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../logger.js';
import type { Store } from '../store/port.js';

const TABLE = 'rate_limits';
const TIMEOUT_MS = 500;

export interface RateCounters {
  /** Whether every process sharing the store counts in the same place. */
  readonly shared: boolean;
  /** The counter of one named limit: at most `max` per key in `windowSeconds`. */
  limiter(name: string, max: number, windowSeconds: number): RateLimiterAbstract;
}

export const memoryCounters: RateCounters = {
  shared: false,
  limiter: (name, max, windowSeconds) => new RateLimiterMemory({ keyPrefix: name, points: max, duration: windowSeconds }),
};

/** A PostgreSQL store offers its pool (PgStore.postgres); others do not. */
function postgresOf(store: Store): { pool: pg.Pool; schema: string } | null {
  const offered = (store as { postgres?: { pool: pg.Pool; schema: string } }).postgres;
  return offered && typeof offered.pool?.query === 'function' ? offered : null;
}

export async function rateCountersFor(store: Store, log: Logger): Promise<RateCounters> {
  const postgres = store.capabilities.sharedAcrossProcesses ? postgresOf(store) : null;
  if (!postgres) return memoryCounters;
  const options = { storeClient: postgres.pool, storeType: 'pool', tableName: TABLE, schemaName: postgres.schema };
  try {
    // the table is created once here, so no limiter answers from memory while it is being made
    await new Promise<void>((resolve, reject) => new RateLimiterPostgres({ ...options, keyPrefix: 'setup', points: 1, duration: 1, clearExpiredByTimeout: false }, (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    log.warn({ err }, 'the shared rate-limit table could not be created; each node counts on its own');
    return memoryCounters;
  }
  // the limits share the table, so one of them sweeps its expired rows (every 5 minutes), not each
  let sweeper = true;
  return {
    shared: true,
    limiter(name, max, windowSeconds) {
      const insuranceLimiter = memoryCounters.limiter(name, max, windowSeconds);
      const clearExpiredByTimeout = sweeper;
      sweeper = false;
      const inDatabase = new RateLimiterPostgres({ ...options, tableCreated: true, clearExpiredByTimeout, keyPrefix: name, points: max, duration: windowSeconds, insuranceLimiter });
      return new RLWrapperTimeouts({ limiter: inDatabase, timeoutMs: TIMEOUT_MS, insuranceLimiter });
    },
  };
}
