/**
 * Reply placeholders, resolved after spintax:
 *
 * | placeholder | value |
 * |---|---|
 * | `[name]` | the sender's push name, falling back to their phone number |
 * | `[phone]` | the sender's phone number (digits) |
 * | `[bot_name]` | the bot's name |
 * | `[date]`, `[time]`, `[day]` | now, in the bot's time zone and language |
 * | `[message]` | the inbound text (or caption) |
 * | `[var.<name>]` | a value a conversation flow captured (empty until captured) |
 *
 * Unknown placeholders stay as written; `\[` and `\]` are literal brackets.
 * Values are inserted as they are: a push name containing `{a|b}` or `[x]`
 * is never expanded.
 */
import { parseTimeZone, wallClock, type TimeZone } from './timezone.js';

export const PLACEHOLDERS = ['name', 'phone', 'bot_name', 'date', 'time', 'day', 'message'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface PlaceholderContext {
  pushName: string | null;
  phone: string | null;
  botName: string;
  /** bot_timezone as configured (IANA or offset). */
  timeZone: string;
  /** bot_lang (BCP 47). */
  lang: string;
  /** The inbound text or caption. */
  message: string | null;
  /** Epoch ms. */
  now: number;
  /** A flow's captured values; `[var.x]` stays as written outside flows. */
  vars?: Readonly<Record<string, string | number | boolean>>;
}

type Style = 'date' | 'time' | 'day';
const STYLES: Record<Style, Intl.DateTimeFormatOptions> = {
  date: { year: 'numeric', month: 'long', day: 'numeric' },
  time: { hour: '2-digit', minute: '2-digit' },
  day: { weekday: 'long' },
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: string, timeZone: string, style: Style): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    if (formatters.size > 500) formatters.clear();
    try {
      f = new Intl.DateTimeFormat(lang, { ...STYLES[style], timeZone });
    } catch {
      // settings validate the tag; this only guards documents written before that check
      f = new Intl.DateTimeFormat('en', { ...STYLES[style], timeZone });
    }
    formatters.set(key, f);
  }
  return f;
}

/**
 * Formats `now` for the zone. IANA zones go to Intl directly; fixed offsets
 * (which Node 20's Intl does not accept) are applied by shifting the instant
 * and formatting it as UTC.
 */
export function formatInZone(now: number, zone: TimeZone, lang: string, style: Style): string {
  if (zone.kind === 'iana') return formatter(lang, zone.name, style).format(now);
  return formatter(lang, 'UTC', style).format(wallClock(now, zone));
}

function value(name: Placeholder, ctx: PlaceholderContext): string {
  switch (name) {
    case 'name':
      return ctx.pushName?.trim() || ctx.phone || '';
    case 'phone':
      return ctx.phone ?? '';
    case 'bot_name':
      return ctx.botName;
    case 'message':
      return ctx.message ?? '';
    case 'date':
    case 'time':
    case 'day':
      return formatNow(ctx, name);
  }
}

const MINUTE = 60_000;
const formatted = new Map<string, { minute: number; text: string }>();

/**
 * None of the styles shows seconds and zone offsets are whole minutes, so
 * the text only changes with the minute: formatted once a minute per zone,
 * language and style rather than for every reply (~1.5 µs each).
 */
function formatNow(ctx: PlaceholderContext, style: Style): string {
  const key = `${ctx.lang}|${ctx.timeZone}|${style}`;
  const minute = Math.floor(ctx.now / MINUTE);
  const hit = formatted.get(key);
  if (hit && hit.minute === minute) return hit.text;
  const zone = parseTimeZone(ctx.timeZone) ?? { kind: 'offset', minutes: 0 };
  const text = formatInZone(ctx.now, zone, ctx.lang, style);
  if (!hit && formatted.size > 500) formatted.clear();
  formatted.set(key, { minute, text });
  return text;
}

const TOKEN = /\\([[\]])|\[([a-z_]+)\]|\[var\.([A-Za-z_][A-Za-z0-9_]*)\]/g;
const KNOWN = new Set<string>(PLACEHOLDERS);

export function fillPlaceholders(text: string, ctx: PlaceholderContext): string {
  if (!text.includes('[') && !text.includes('\\')) return text;
  TOKEN.lastIndex = 0;
  let out = '';
  let last = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const [whole, escaped, name, variable] = m;
    out += text.slice(last, m.index);
    last = m.index + whole.length;
    if (escaped) out += escaped;
    else if (name && KNOWN.has(name)) out += value(name as Placeholder, ctx);
    else if (variable && ctx.vars) out += Object.hasOwn(ctx.vars, variable) ? String(ctx.vars[variable]) : '';
    else out += whole;
  }
  return out + text.slice(last);
}
