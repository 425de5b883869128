/**
 * Recurring sends: a cron expression in node-cron syntax (5 fields, or 6
 * with seconds first), evaluated in the bot's time zone. node-cron validates
 * the syntax (its messages name the bad field); cron-parser computes the
 * occurrences, DST included.
 */
import { CronExpressionParser } from 'cron-parser';
import { validateDetailed } from 'node-cron';
import type { TimeZone } from './timezone.js';

/** Recurring sends are reminders and digests, not floods: at most one a minute. */
export const MIN_RECURRENCE_GAP_MS = 60_000;

export type CronCheck = { ok: true } | { ok: false; reason: string };

export function checkCron(expression: string, zone: TimeZone, now: number): CronCheck {
  const text = expression.trim();
  const validation = validateDetailed(text);
  if (!validation.valid) {
    const first = validation.errors[0];
    return { ok: false, reason: first ? `${first.message}` : 'is not a valid cron expression' };
  }
  let runs: number[];
  try {
    runs = nextOccurrences(text, zone, now, 6);
  } catch (err) {
    return { ok: false, reason: `is not a valid cron expression (${(err as Error).message})` };
  }
  if (runs.length === 0) return { ok: false, reason: 'never fires' };
  for (let i = 1; i < runs.length; i++) {
    if (runs[i] - runs[i - 1] < MIN_RECURRENCE_GAP_MS) return { ok: false, reason: 'fires more than once a minute; recurring sends may run at most once a minute' };
  }
  return { ok: true };
}

/** The first occurrence strictly after `after` (epoch ms), or null when there is none within five years. */
export function nextOccurrence(expression: string, zone: TimeZone, after: number): number | null {
  try {
    return nextOccurrences(expression, zone, after, 1)[0] ?? null;
  } catch {
    // only expressions that passed checkCron are stored, so this means "no further run"
    return null;
  }
}

function nextOccurrences(expression: string, zone: TimeZone, after: number, count: number): number[] {
  const horizon = after + 5 * 366 * 24 * 3600_000;
  if (zone.kind === 'iana') {
    const it = CronExpressionParser.parse(expression.trim(), { currentDate: new Date(after), endDate: new Date(horizon), tz: zone.name });
    return take(() => it.next().getTime(), count, () => it.hasNext());
  }
  // A fixed offset has no DST: evaluate in UTC on a clock shifted by the offset.
  const shift = zone.minutes * 60_000;
  const it = CronExpressionParser.parse(expression.trim(), { currentDate: new Date(after + shift), endDate: new Date(horizon + shift), tz: 'UTC' });
  return take(() => it.next().getTime() - shift, count, () => it.hasNext());
}

function take(next: () => number, count: number, hasNext: () => boolean): number[] {
  const out: number[] = [];
  while (out.length < count && hasNext()) out.push(next());
  return out;
}
