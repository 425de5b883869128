/** Per-bot settings: read, deep-merge patch, and one PUT per section (seed 003's groups). */
import type { z } from 'zod';
import { ActionsSchema, ActiveDaysSchema, ActiveHoursSchema, BotSettingsSchema, GeneralSettingsSchema, SettingsPatchSchema, type SettingsPatch } from '../../../domain/settings.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams } from '../../schemas.js';

const SECTIONS: { path: string; summary: string; schema: z.ZodType; toPatch: (body: never) => SettingsPatch }[] = [
  { path: 'general', summary: 'Replace bot_name, bot_timezone, bot_lang and default_msg', schema: GeneralSettingsSchema, toPatch: (b) => b },
  { path: 'actions', summary: 'Replace the six action flags', schema: ActionsSchema, toPatch: (b) => ({ actions: b }) },
  { path: 'active-days', summary: 'Replace the active days (all seven)', schema: ActiveDaysSchema, toPatch: (b) => ({ active_days: b }) },
  { path: 'active-hours', summary: "Replace the active hours ('HH:mm' or 'always'; to is exclusive; may cross midnight)", schema: ActiveHoursSchema, toPatch: (b) => ({ active_hours: b }) },
];

export function settingsRoutes(s: Pick<Api, 'instances'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/settings',
      tags: ['Settings'],
      summary: "The bot's settings",
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'Settings', schema: BotSettingsSchema } },
      handler: async ({ instance }) => ({ body: instance.settings }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/instances/:id/settings',
      tags: ['Settings'],
      summary: 'Change some settings (deep-merged)',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: SettingsPatchSchema,
      responses: { 200: { description: 'The settings after the change', schema: BotSettingsSchema } },
      handler: async ({ instance, body }) => ({ body: (await s.instances.updateSettings(instance, body)).settings }),
    }),
    ...SECTIONS.map((section) =>
      defineRoute({
        method: 'put',
        path: `/v1/instances/:id/settings/${section.path}`,
        tags: ['Settings'],
        summary: section.summary,
        auth: 'principal',
        instance: byPath,
        params: InstanceParams,
        body: section.schema,
        responses: { 200: { description: 'The settings after the change', schema: BotSettingsSchema } },
        handler: async ({ instance, body }) => ({
          body: (await s.instances.updateSettings(instance, section.toPatch(body as never))).settings,
        }),
      }),
    ),
  ];
}
