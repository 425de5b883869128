/**
 * Group commit for a synchronous SQLite connection.
 *
 * Every operation runs immediately (so it is atomic with respect to every
 * other operation in this process) inside one open transaction; the
 * transaction commits on the next turn of the event loop, and only then do the
 * operations' promises resolve. One fsync-equivalent therefore covers every
 * write issued in the same turn, and no caller ever observes — or
 * acknowledges — data that a crash could still take away: reads issued while
 * a batch is open resolve after it commits too.
 */
import type Database from 'better-sqlite3';

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private open = false;
  private waiters: Waiter[] = [];

  /**
   * No savepoint per operation: each operation writes with single statements,
   * and SQLite undoes only the statement that fails (e.g. a unique
   * violation), leaving the batch open for its neighbours — the same
   * non-atomic semantics MongoDB gives insertMany/updateMany.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly afterCommit: () => void = () => {},
  ) {}

  run<T>(fn: () => T, writes: boolean): Promise<T> {
    if (writes && !this.open) {
      this.db.exec('BEGIN IMMEDIATE');
      this.open = true;
      setImmediate(() => this.flush());
    }
    let result: T;
    try {
      result = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.open) return Promise.resolve(result);
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ resolve: () => resolve(result), reject });
    });
  }

  flush(): void {
    if (!this.open) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // the failed COMMIT may already have rolled back
      }
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve();
    this.afterCommit();
  }
}
