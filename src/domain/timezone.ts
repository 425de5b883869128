/**
 * Bot time zones: an IANA name (`America/La_Paz`) or a fixed UTC offset in
 * the forms owners actually type (`+1`, `-05:00`, `UTC+1`, `GMT-3:30`).
 */

export type TimeZone = { kind: 'iana'; name: string } | { kind: 'offset'; minutes: number };

const OFFSET = /^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$/i;

const ianaCache = new Map<string, boolean>();

function isIanaZone(name: string): boolean {
  let known = ianaCache.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    ianaCache.set(name, known);
  }
  return known;
}

/** Returns null when the input is neither an IANA zone nor an offset within ±14:00. */
export function parseTimeZone(input: string): TimeZone | null {
  const text = input.trim();
  if (/^(UTC|GMT|Z)$/i.test(text)) return { kind: 'offset', minutes: 0 };
  const m = OFFSET.exec(text);
  if (m) {
    const hours = Number(m[2]);
    const mins = m[3] ? Number(m[3]) : 0;
    if (mins >= 60) return null;
    const total = hours * 60 + mins;
    if (total > 14 * 60) return null;
    return { kind: 'offset', minutes: m[1] === '-' ? -total : total };
  }
  if (text.includes('/') || /^[A-Za-z_]+$/.test(text)) return isIanaZone(text) ? { kind: 'iana', name: text } : null;
  return null;
}

/** The zone as text: the IANA name, or `±HH:MM`. */
export function zoneId(zone: TimeZone): string {
  if (zone.kind === 'iana') return zone.name;
  const sign = zone.minutes < 0 ? '-' : '+';
  const abs = Math.abs(zone.minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export const TIME_ZONE_HINT = "an IANA time zone such as 'America/La_Paz' or a UTC offset such as '+1', '-05:00' or 'UTC+1'";

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's wall clock at `at`, as a Date whose UTC fields are the local
 * date and time (Intl's time zone data, the same the runtime uses
 * everywhere; exact across daylight-saving changes).
 */
export function wallClock(at: number, zone: TimeZone): Date {
  if (zone.kind === 'offset') return new Date(at + zone.minutes * 60_000);
  let f = wallFormatters.get(zone.name);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone.name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    wallFormatters.set(zone.name, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, at % 1000));
}
