/**
 * Per-account login throttle. The per-IP limit alone lets many addresses
 * each try one account; this one counts failures per login name, whatever
 * the address: after `failures` wrong passwords, each within `windowMs` of
 * the one before, the account's logins are refused for `baseLockMs`, and
 * every further failure doubles that (up to `maxLockMs`). A success clears
 * it. Callers count unknown login names like known accounts, so the
 * throttle does not reveal which accounts exist.
 *
 * It lives in each process's memory: several nodes each count on their own,
 * and a restart forgets. Good enough against guessing, at no store cost: with
 * N nodes an account locks after at most N times the failures, still a
 * handful per minute, and the per-IP `auth` limit in front of it is counted
 * in the shared store when the nodes share PostgreSQL (rate-counters.ts).
 * Sharing it would add a store write to every failed login, and lock state
 * read on every login.
 */

export interface LoginThrottleOptions {
  failures: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
  /** Accounts remembered at once; the oldest are forgotten first. */
  maxEntries?: number;
}

export const LOGIN_THROTTLE: LoginThrottleOptions = { failures: 10, windowMs: 15 * 60_000, baseLockMs: 60_000, maxLockMs: 60 * 60_000 };

interface Entry {
  failures: number;
  last: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: LoginThrottleOptions = LOGIN_THROTTLE) {}

  /** Milliseconds until `login` may try again, or 0. */
  waitFor(account: string, now: number): number {
    const entry = this.current(account, now);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  failed(account: string, now: number): void {
    const k = account;
    const entry = this.current(k, now) ?? { failures: 0, last: now, lockedUntil: 0 };
    entry.failures++;
    entry.last = now;
    const over = entry.failures - this.options.failures;
    if (over >= 0) entry.lockedUntil = now + Math.min(this.options.baseLockMs * 2 ** Math.min(over, 30), this.options.maxLockMs);
    // re-inserted, so the Map's order is oldest-first for eviction
    this.entries.delete(k);
    this.entries.set(k, entry);
    const max = this.options.maxEntries ?? 100_000;
    if (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
  }

  succeeded(account: string): void {
    this.entries.delete(account);
  }

  /** The entry, unless it has lapsed: no failure for a window since the last one or the end of its lock. */
  private current(k: string, now: number): Entry | null {
    const entry = this.entries.get(k);
    if (!entry) return null;
    if (now - Math.max(entry.last, entry.lockedUntil) > this.options.windowMs) {
      this.entries.delete(k);
      return null;
    }
    return entry;
  }
}
