/**
 * `schedule_at`: an ISO 8601 instant that must carry its offset (`Z` or
 * `±HH:MM`). A local time without an offset is ambiguous — the server's zone,
 * the bot's zone and the caller's zone could all differ — so it is refused
 * rather than guessed.
 */

const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const ISO_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

/** How far ahead a message may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600_000;

export type ScheduleAtResult = { ok: true; at: number } | { ok: false; reason: string };

export function parseScheduleAt(input: string, now: number): ScheduleAtResult {
  const text = input.trim();
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) {
    if (ISO_WITHOUT_OFFSET.test(text)) return { ok: false, reason: "needs a UTC offset, e.g. '2025-05-16T10:00:00-04:00' or '2025-05-16T14:00:00Z'" };
    return { ok: false, reason: "must be an ISO 8601 date-time with offset, e.g. '2025-05-16T10:00:00-04:00'" };
  }
  const [, y, mo, d, h, mi, s] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) {
    return { ok: false, reason: 'is not a valid date-time' };
  }
  const at = Date.parse(text.replace(' ', 'T'));
  if (Number.isNaN(at)) return { ok: false, reason: 'is not a valid date-time' };
  // the day must exist (Date.parse rolls 2025-02-30 over to March)
  const offset = m[8].toUpperCase() === 'Z' ? 0 : offsetMinutes(m[8]);
  const local = new Date(at + offset * 60_000);
  if (local.getUTCFullYear() !== Number(y) || local.getUTCMonth() + 1 !== Number(mo) || local.getUTCDate() !== Number(d)) {
    return { ok: false, reason: 'is not a valid date-time' };
  }
  // second precision: a time within the current second is "now", not the past
  if (at < Math.floor(now / 1000) * 1000) return { ok: false, reason: `is in the past (now is ${new Date(now).toISOString()})` };
  if (at > now + MAX_SCHEDULE_AHEAD_MS) return { ok: false, reason: 'is more than a year ahead' };
  return { ok: true, at };
}

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
}
