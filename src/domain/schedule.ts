/**
 * Active days and hours, evaluated in the bot's time zone.
 *
 * - `always` hours: active on every active day.
 * - `from < to`: active on an active day from `from` (inclusive) to `to`
 *   (exclusive).
 * - `from > to` crosses midnight: the window belongs to the day it starts
 *   on, so Monday 22:00–02:00 covers Monday 22:00 to Tuesday 02:00 when
 *   Monday is active, whether or not Tuesday is.
 *
 * Local wall-clock time comes from Intl's time zone data, so daylight-saving changes
 * are followed: on a spring-forward day the skipped hour simply never occurs.
 */
import { DAYS, type ActiveDays, type ActiveHours, type BotSettings, type Day } from './settings.js';
import { parseTimeZone, wallClock } from './timezone.js';

export interface LocalTime {
  day: Day;
  /** Minutes since local midnight. */
  minutes: number;
  /** `HH:mm`, for traces. */
  hhmm: string;
}

const MINUTE = 60_000;
const cache = new Map<string, LocalTime>();
let last: { timeZone: string; minute: number; local: LocalTime } | null = null;

/**
 * Wall-clock time in a zone. Offsets only change on whole minutes, so the
 * result is memoised per zone and minute (reading it costs a few µs; a busy
 * bot asks thousands of times a minute).
 */
export function localTime(now: number, timeZone: string): LocalTime {
  const minute = Math.floor(now / MINUTE);
  // nearly every call repeats the previous one's zone and minute: answer it without building a key
  if (last !== null && last.minute === minute && last.timeZone === timeZone) return last.local;
  const key = `${timeZone}|${minute}`;
  let hit = cache.get(key);
  if (!hit) {
    const zone = parseTimeZone(timeZone) ?? { kind: 'offset', minutes: 0 };
    const wall = wallClock(minute * MINUTE, zone);
    const [h, m] = [wall.getUTCHours(), wall.getUTCMinutes()];
    const hhmm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
    hit = { day: DAYS[(wall.getUTCDay() + 6) % 7], minutes: h * 60 + m, hhmm };
    if (cache.size > 1000) cache.clear();
    cache.set(key, hit);
  }
  last = { timeZone, minute, local: hit };
  return hit;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function previousDay(day: Day): Day {
  return DAYS[(DAYS.indexOf(day) + 6) % 7];
}

export interface ScheduleCheck {
  active: boolean;
  /** Human-readable, for the decision trace. */
  reason: string;
}

type ScheduleSettings = Pick<BotSettings, 'bot_timezone' | 'active_days' | 'active_hours'>;

/** The last answer per settings object: it only changes with the minute, or with new settings (always a new object, never mutated in place). */
const checked = new WeakMap<ScheduleSettings, { local: LocalTime; days: ActiveDays; hours: ActiveHours; result: ScheduleCheck }>();

export function checkSchedule(settings: ScheduleSettings, now: number): ScheduleCheck {
  const local = localTime(now, settings.bot_timezone);
  const memo = checked.get(settings);
  if (memo && memo.local === local && memo.days === settings.active_days && memo.hours === settings.active_hours) return memo.result;
  const result = evaluate(local, settings.active_days, settings.active_hours, settings.bot_timezone);
  checked.set(settings, { local, days: settings.active_days, hours: settings.active_hours, result });
  return result;
}

export function isActive(settings: Pick<BotSettings, 'bot_timezone' | 'active_days' | 'active_hours'>, now: number): boolean {
  return checkSchedule(settings, now).active;
}

function evaluate(local: LocalTime, days: ActiveDays, hours: ActiveHours, tz: string): ScheduleCheck {
  const at = `${local.day} ${local.hhmm} (${tz})`;
  if (hours.from === 'always' || hours.to === 'always') {
    return days[local.day] ? { active: true, reason: `${at}: active day, hours always` } : { active: false, reason: `${at}: ${local.day} is not an active day` };
  }
  const from = toMinutes(hours.from);
  const to = toMinutes(hours.to);
  const window = `${hours.from}–${hours.to}`;
  if (from < to) {
    if (!days[local.day]) return { active: false, reason: `${at}: ${local.day} is not an active day` };
    const inside = local.minutes >= from && local.minutes < to;
    return { active: inside, reason: `${at}: ${inside ? 'inside' : 'outside'} active hours ${window}` };
  }
  // crosses midnight: the late part belongs to today, the early part to yesterday's window
  if (local.minutes >= from) {
    return days[local.day]
      ? { active: true, reason: `${at}: inside active hours ${window} starting ${local.day}` }
      : { active: false, reason: `${at}: inside ${window} but ${local.day} is not an active day` };
  }
  if (local.minutes < to) {
    const yesterday = previousDay(local.day);
    return days[yesterday]
      ? { active: true, reason: `${at}: inside active hours ${window} that started ${yesterday}` }
      : { active: false, reason: `${at}: inside ${window} but it started ${yesterday}, which is not an active day` };
  }
  return { active: false, reason: `${at}: outside active hours ${window}` };
}
