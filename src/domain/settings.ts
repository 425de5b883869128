/**
 * Per-bot settings: seed 003's fields, defaults and meanings (see DESIGN.md).
 * The schemas here are the single declaration used for validation, handler
 * types and the OpenAPI document.
 */
import { z } from 'zod';
import { parseTimeZone, TIME_ZONE_HINT } from './timezone.js';

export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Day = (typeof DAYS)[number];

export const ACTION_FLAGS = ['send_default_msg', 'reply_group_msgs', 'reply_unread_msgs', 'reply_msgs', 'multi_device', 'send_webhook'] as const;
export type ActionFlag = (typeof ACTION_FLAGS)[number];

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `H:mm` or `HH:mm` (seed 003 sends `5:00`), normalised to `HH:mm`; or `always`. */
export const HourSchema = z
  .string()
  .trim()
  .refine((s) => s === 'always' || TIME.test(s), { message: "must be 'HH:mm' (00:00–23:59) or 'always'" })
  .transform((s) => (s === 'always' ? s : s.padStart(5, '0')))
  .meta({ example: '09:00' });

export const TimeZoneSchema = z
  .string()
  .trim()
  .min(1)
  .refine((s) => parseTimeZone(s) !== null, { message: `must be ${TIME_ZONE_HINT}` })
  .meta({ example: 'America/La_Paz' });

export const LanguageSchema = z
  .string()
  .trim()
  .refine(
    (s) => {
      try {
        return Intl.getCanonicalLocales(s).length === 1;
      } catch {
        return false;
      }
    },
    { message: "must be a BCP 47 language tag such as 'en' or 'es-BO'" },
  )
  .meta({ example: 'en' });

export const ActiveHoursSchema = z
  .object({ from: HourSchema, to: HourSchema })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.from === 'always') !== (v.to === 'always')) {
      ctx.addIssue({ code: 'custom', path: [v.from === 'always' ? 'from' : 'to'], message: "from and to must both be 'always' or both be times" });
    } else if (v.from !== 'always' && v.from === v.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: "must differ from 'from' (to is exclusive); use 'always' for the whole day" });
    }
  });

export const ActiveDaysSchema = z.object(Object.fromEntries(DAYS.map((d) => [d, z.boolean()])) as Record<Day, z.ZodBoolean>).strict();

export const ActionsSchema = z
  .object({
    ...(Object.fromEntries(ACTION_FLAGS.map((f) => [f, z.boolean()])) as Record<ActionFlag, z.ZodBoolean>),
    // a /v1 addition beside seed 003's six flags, so optional: settings stored before it read as off
    read_messages: z.boolean().optional().meta({ description: 'Mark the messages the bot answers as read (blue ticks); off by default' }),
  })
  .strict();

export const GeneralSettingsSchema = z
  .object({
    bot_name: z.string().trim().min(1).max(100),
    bot_timezone: TimeZoneSchema,
    bot_lang: LanguageSchema,
    default_msg: z.string().max(4096),
  })
  .strict();

/** Human takeover: minutes the bot stays silent in a chat after the owner writes into it from the phone (0: off). */
export const TakeoverMinutesSchema = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 60)
  .meta({
    description:
      'When the owner writes into a chat from the phone or another linked device (not through the API, not a bot reply), the bot stays silent in that chat for this many minutes, and a flow in progress there ends (flow.abandoned, reason takeover). 0 (the default) turns takeover off.',
    example: 30,
  });

export const BotSettingsSchema = GeneralSettingsSchema.extend({
  actions: ActionsSchema,
  active_days: ActiveDaysSchema,
  active_hours: ActiveHoursSchema,
  /** Absent in settings stored before takeover existed: 0. */
  takeover_minutes: TakeoverMinutesSchema.optional(),
}).strict();

export type ActiveHours = z.infer<typeof ActiveHoursSchema>;
export type ActiveDays = z.infer<typeof ActiveDaysSchema>;
export type Actions = z.infer<typeof ActionsSchema>;
export type GeneralSettings = z.infer<typeof GeneralSettingsSchema>;
export type BotSettings = z.infer<typeof BotSettingsSchema>;

/** A partial update: every field optional, nested objects partial too (deep merge). */
export const SettingsPatchSchema = GeneralSettingsSchema.partial()
  .extend({
    actions: ActionsSchema.partial().optional(),
    active_days: ActiveDaysSchema.partial().optional(),
    active_hours: ActiveHoursSchema.optional(),
    takeover_minutes: TakeoverMinutesSchema.optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export function defaultSettings(botName?: string): BotSettings {
  return {
    bot_name: botName ?? 'WhatsappClient',
    bot_timezone: 'Africa/Harare',
    bot_lang: 'en',
    default_msg: '{Hi|Hello} [name] your message has no keyword here.',
    actions: {
      send_default_msg: true,
      reply_group_msgs: true,
      reply_unread_msgs: true,
      reply_msgs: true,
      multi_device: false,
      send_webhook: false,
      read_messages: false,
    },
    active_days: { monday: true, tuesday: true, wednesday: true, thursday: true, friday: true, saturday: true, sunday: true },
    active_hours: { from: 'always', to: 'always' },
    takeover_minutes: 0,
  };
}

export function mergeSettings(current: BotSettings, patch: SettingsPatch): BotSettings {
  return {
    ...current,
    ...stripUndefined({ bot_name: patch.bot_name, bot_timezone: patch.bot_timezone, bot_lang: patch.bot_lang, default_msg: patch.default_msg }),
    actions: { ...current.actions, ...stripUndefined(patch.actions ?? {}) },
    active_days: { ...current.active_days, ...stripUndefined(patch.active_days ?? {}) },
    active_hours: patch.active_hours ?? current.active_hours,
    takeover_minutes: patch.takeover_minutes ?? current.takeover_minutes ?? 0,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
