/**
 * What the settings page shows before anything is sent: whether the bot
 * answers right now (the very schedule check decide() makes), and a few
 * renderings of a reply template (spintax and placeholders, as a real reply
 * would get them).
 */
import type { Random } from './random.js';
import { renderText } from './render.js';
import { checkSchedule, localTime } from './schedule.js';
import type { BotSettings, Day } from './settings.js';

export interface ScheduleNow {
  active: boolean;
  /** The same words as the decision trace's schedule step. */
  reason: string;
  /** The bot's local day and time. */
  day: Day;
  time: string;
  time_zone: string;
}

export function scheduleNow(settings: Pick<BotSettings, 'bot_timezone' | 'active_days' | 'active_hours'>, now: number): ScheduleNow {
  const check = checkSchedule(settings, now);
  const local = localTime(now, settings.bot_timezone);
  return { active: check.active, reason: check.reason, day: local.day, time: local.hhmm, time_zone: settings.bot_timezone };
}

/** Who the preview pretends to answer. */
export interface PreviewSender {
  name: string;
  phone: string;
  message: string;
}

/**
 * `count` renderings of a template for this bot, different from each other
 * when the template allows it (a few extra draws, then repeats are kept).
 */
export function previewRenderings(template: string, settings: Pick<BotSettings, 'bot_name' | 'bot_timezone' | 'bot_lang'>, sender: PreviewSender, now: number, random: Random, count: number): string[] {
  const ctx = { pushName: sender.name, phone: sender.phone, botName: settings.bot_name, timeZone: settings.bot_timezone, lang: settings.bot_lang, message: sender.message, now };
  const seen = new Set<string>();
  const out: string[] = [];
  for (let draw = 0; out.length < count && draw < count * 8; draw++) {
    const text = renderText(template, random, ctx);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(text);
  }
  // a template with fewer variants than asked: repeat what there is
  while (out.length < count) out.push(out[out.length % Math.max(1, seen.size)] ?? renderText(template, random, ctx));
  return out;
}
