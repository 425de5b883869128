/**
 * Whether an answer fits a flow step's expectation, and the value kept.
 * Choices are matched by the flow runtime (they need the compiled options);
 * everything else is read here. Pure: the clock and the bot's time zone
 * come in as values.
 */
import type { Expect } from './flows.js';
import type { InboundMessage } from './inbound.js';
import { parsePhone } from './recipient.js';
import { parseTimeZone, wallClock } from './timezone.js';

export type FlowValue = string | number | boolean;

export type AnswerCheck = { ok: true; value: FlowValue } | { ok: false; reason: string };

export interface AnswerContext {
  now: number;
  /** bot_timezone, as configured. */
  timeZone: string;
  /** bot_lang: en-US reads 12/24 as month/day, every other language day/month. */
  lang: string;
  /** tucan's id of the message, kept for media answers. */
  messageId: string;
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const NUMBER = /^[^\d-]*?(-?\d+(?:[.,]\d+)?)[^\d]*$/;

type Simple = Exclude<Expect, { type: 'choice' }>;

export function checkAnswer(expect: Simple, message: InboundMessage, ctx: AnswerContext): AnswerCheck {
  if (expect.type === 'media') {
    const kind = message.kind;
    if ((expect.media_types as string[]).includes(kind)) return { ok: true, value: ctx.messageId };
    return { ok: false, reason: `expected ${expect.media_types.join(', ')}, got ${kind}` };
  }
  const text = message.text?.trim() ?? '';
  if (text === '') return { ok: false, reason: `expected ${expect.type === 'text' ? 'a text' : `a ${expect.type}`}, got a ${message.kind} without text` };
  switch (expect.type) {
    case 'text': {
      const length = [...text].length;
      if (length < expect.min_length) return { ok: false, reason: `${length} characters, fewer than min_length ${expect.min_length}` };
      if (length > expect.max_length) return { ok: false, reason: `${length} characters, more than max_length ${expect.max_length}` };
      return { ok: true, value: text };
    }
    case 'number': {
      const m = NUMBER.exec(text);
      if (!m) return { ok: false, reason: `'${clip(text)}' holds no single number` };
      const value = Number(m[1].replace(',', '.'));
      if (expect.integer && !Number.isInteger(value)) return { ok: false, reason: `${value} is not a whole number` };
      if (expect.min !== undefined && value < expect.min) return { ok: false, reason: `${value} is below min ${expect.min}` };
      if (expect.max !== undefined && value > expect.max) return { ok: false, reason: `${value} is above max ${expect.max}` };
      return { ok: true, value };
    }
    case 'email':
      return EMAIL.test(text) && text.length <= 254 ? { ok: true, value: text.toLowerCase() } : { ok: false, reason: `'${clip(text)}' is not an e-mail address` };
    case 'phone': {
      const parsed = parsePhone(text);
      return parsed.ok ? { ok: true, value: parsed.digits } : { ok: false, reason: parsed.reason };
    }
    case 'date': {
      const date = parseDate(text, ctx);
      return date ? { ok: true, value: date } : { ok: false, reason: `'${clip(text)}' is not a date (2026-12-24, 24/12/2026, 24/12, today, tomorrow)` };
    }
  }
}

const RELATIVE: Record<string, number> = { today: 0, hoy: 0, tomorrow: 1, manana: 1, 'pasado manana': 2, 'day after tomorrow': 2 };

/** A calendar date as YYYY-MM-DD, read in the bot's time zone; null when it is none. */
export function parseDate(input: string, ctx: Pick<AnswerContext, 'now' | 'timeZone' | 'lang'>): string | null {
  const zone = parseTimeZone(ctx.timeZone) ?? { kind: 'offset', minutes: 0 };
  const today = wallClock(ctx.now, zone);
  const y0 = today.getUTCFullYear();
  const words = input
    .normalize('NFD')
    .replace(/\p{Mn}+/gu, '')
    .toLowerCase()
    .replace(/[.!]+$/, '')
    .trim();
  if (words in RELATIVE) {
    const d = new Date(Date.UTC(y0, today.getUTCMonth(), today.getUTCDate() + RELATIVE[words]));
    return iso(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(words);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/.exec(words);
  if (!m) return null;
  const [a, b] = [Number(m[1]), Number(m[2])];
  // month first only in the US, and only when the first number can be a month
  const monthFirst = /^en-us$/i.test(ctx.lang) && a <= 12;
  const [day, month] = monthFirst ? [b, a] : [a, b];
  if (m[3] !== undefined) return valid(m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]), month, day);
  // no year: the next such day, today included
  const thisYear = valid(y0, month, day);
  if (thisYear === null) return valid(y0 + 1, month, day);
  return thisYear >= iso(y0, today.getUTCMonth() + 1, today.getUTCDate()) ? thisYear : valid(y0 + 1, month, day);
}

function valid(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? iso(y, m, d) : null;
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
