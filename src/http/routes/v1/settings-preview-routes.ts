/** What the settings mean right now: the schedule check, and renderings of a draft reply. */
import { z } from 'zod';
import { DAYS } from '../../../domain/settings.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams } from '../../schemas.js';

const ScheduleNowSchema = z
  .object({
    active: z.boolean().meta({ description: 'Whether the bot answers messages right now (active days and hours only; reply_msgs and the other flags are separate)' }),
    reason: z.string().meta({ description: "Why, in the words of the decision trace's schedule step", example: 'tuesday 10:30 (America/La_Paz): inside active hours 09:00–18:00' }),
    day: z.enum(DAYS).meta({ description: "The bot's local day" }),
    time: z.string().meta({ description: "The bot's local time (HH:mm)", example: '10:30' }),
    time_zone: z.string(),
    checked_at: z.string(),
  })
  .meta({ id: 'ScheduleNow' });

const PreviewBody = z
  .object({
    text: z.string().min(1).max(4096).meta({ description: 'A reply template: spintax and placeholders, as in default_msg or a rule reply', example: '{Hi|Hello} [name], we open at 9.' }),
    count: z.number().int().min(1).max(10).default(3),
    name: z.string().trim().min(1).max(100).default('Ana').meta({ description: '[name] in the preview' }),
    phone: z.string().trim().regex(/^\d{6,20}$/, 'must be digits with the country code').default('59171234567').meta({ description: '[phone] in the preview' }),
    message: z.string().max(1000).default('Hello').meta({ description: '[message] in the preview' }),
  })
  .strict();

export function settingsPreviewRoutes(s: Pick<Api, 'settingsPreview'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/schedule',
      tags: ['Settings'],
      summary: 'Whether the bot is active right now, and why (its active days and hours in its time zone)',
      description: 'The same check the bot makes for every message, with the stored settings at this minute.',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'The schedule right now', schema: ScheduleNowSchema } },
      handler: async ({ instance }) => ({ body: s.settingsPreview.scheduleNow(instance), headers: { 'Cache-Control': 'no-store' } }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/settings/preview',
      tags: ['Settings'],
      summary: 'Render a reply template a few times (spintax and placeholders) without sending anything',
      description: "[bot_name], [date], [time] and [day] come from the bot's stored settings and the current time; [name], [phone] and [message] from the sample sender in the body. Different renderings when the template allows it.",
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: PreviewBody,
      responses: { 200: { description: 'The renderings', schema: z.object({ renderings: z.array(z.string()) }) } },
      handler: async ({ instance, body }) => ({ body: { renderings: s.settingsPreview.renderings(instance, body.text, { name: body.name, phone: body.phone, message: body.message }, body.count) } }),
    }),
  ];
}
