/**
 * What an attempt's answer means, and when to try again. Pure: the clock and
 * the random source are parameters.
 *
 * - 2xx: delivered.
 * - 410 Gone: the receiver asks us to stop; the subscription is disabled.
 * - anything else (3xx included: redirects are never followed), a timeout or
 *   a network error: retry after the published schedule's next delay, plus
 *   jitter, or later if the receiver sent Retry-After; after the last delay
 *   the delivery is dead-lettered.
 */
import type { Random } from '../../domain/random.js';

/** A receiver's Retry-After is honoured up to this, so one bad header cannot park an event for months. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;
/** ±10 %: spreads retries of a burst without making the published schedule meaningless. */
const JITTER = 0.1;

export interface AttemptResult {
  status: number | null;
  retryAfter: string | null;
  error: string | null;
}

export type Verdict =
  | { kind: 'delivered' }
  | { kind: 'gone' }
  | { kind: 'retry'; at: number }
  | { kind: 'dead' };

/** Seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/**
 * `attempt` is 1-based within the current round. With a schedule of n delays
 * a round has n + 1 attempts: the first is immediate.
 */
export function judge(result: AttemptResult, attempt: number, scheduleSeconds: readonly number[], now: number, random: Random): Verdict {
  if (result.status !== null && result.status >= 200 && result.status < 300) return { kind: 'delivered' };
  if (result.status === 410) return { kind: 'gone' };
  if (attempt > scheduleSeconds.length) return { kind: 'dead' };
  const base = scheduleSeconds[attempt - 1] * 1000;
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  const asked = parseRetryAfter(result.retryAfter, now) ?? 0;
  return { kind: 'retry', at: now + Math.round(Math.max(jittered, asked)) };
}

export function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
