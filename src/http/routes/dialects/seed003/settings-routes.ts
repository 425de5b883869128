/**
 * Seed 003's settings PUTs and setWebhook, onto the native settings and
 * webhook services. The PUTs change only the fields sent (the seed's
 * examples send whole sections, but nothing in the seed says a missing
 * field is reset) and answer with MongoDB's update result.
 */
import { z } from 'zod';
import { ActionsSchema, ActiveDaysSchema, ActiveHoursSchema, GeneralSettingsSchema, type SettingsPatch } from '../../../../domain/settings.js';
import { ValidationError } from '../../../../services/errors.js';
import type { Api } from '../../../api.js';
import { webhookHeaders, WEBHOOK_HEADERS_DOC } from './webhook-headers.js';
import { WebhookEventsSchema, WebhookHeadersSchema, WebhookUrlSchema } from '../../../../services/webhooks/subscription-input.js';
import { defineRoute } from '../../../route.js';
import { withFieldNames } from '../../../kit/field-names.js';
import { envelope, ok, SETTINGS_UPDATED, updateResult, UpdateResultSchema } from './envelope.js';
import { bySession, sessionFields, SessionQuery } from './session.js';
import { SESSION_JSON } from './send.js';

/** The subscription PUT /whatsapp/setWebhook (and init's config.webhookUrl) sets: an instance has one in seed 003. */
export const SEED003_WEBHOOK_LABEL = 'seed 003 webhook (PUT /whatsapp/setWebhook)';

const general = GeneralSettingsSchema.shape;

const GeneralBody = z
  .object({
    ...sessionFields,
    bot_name: general.bot_name.optional(),
    bot_timezone: general.bot_timezone.optional(),
    bot_lang: general.bot_lang.optional(),
    default_msg: z
      .union([general.default_msg, z.boolean()])
      .optional()
      .meta({ description: 'the default reply (spintax and placeholders apply); true/false (as in the seed\'s example) switches actions.send_default_msg instead' }),
  })
  .strict();

const ActionsBody = ActionsSchema.partial().safeExtend(sessionFields);
const DaysBody = ActiveDaysSchema.partial().safeExtend(sessionFields);
const HoursBody = ActiveHoursSchema.safeExtend(sessionFields);

const WebhookBody = z
  .object({
    ...sessionFields,
    webhook_url: WebhookUrlSchema,
    events: WebhookEventsSchema.optional().meta({ description: 'onMessage (message.received), onAnyMessage (message.any) or any native event name; default [onMessage]' }),
    requestConfig: z
      .object({
        headers: WebhookHeadersSchema.optional(),
        timeout: z.number().int().min(1000).max(30_000).optional().meta({ description: 'per-attempt timeout in ms' }),
      })
      .strict()
      .optional()
      .meta({ description: 'headers sent with every delivery, and the timeout (axios-style)' }),
  })
  .strict();

type Sectioned = Record<string, unknown> & { session_id?: string; access_token?: string };

/** What was sent apart from the session fields; at least one setting is expected. */
function settingsOnly(body: Sectioned): Record<string, unknown> {
  const { session_id: _s, access_token: _t, ...rest } = body;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  if (Object.keys(given).length === 0) throw new ValidationError('body', 'give at least one setting to change');
  return given;
}

function generalPatch(body: z.output<typeof GeneralBody>): SettingsPatch {
  const { default_msg, ...rest } = settingsOnly(body) as Omit<z.output<typeof GeneralBody>, 'session_id' | 'access_token'>;
  if (typeof default_msg === 'boolean') return { ...rest, actions: { send_default_msg: default_msg } };
  return { ...rest, ...(default_msg !== undefined ? { default_msg } : {}) };
}

const SECTIONS = [
  { path: 'updateGeneral', summary: 'Update General Info: bot_name, bot_timezone, bot_lang, default_msg', schema: GeneralBody, toPatch: (b: never) => generalPatch(b) },
  { path: 'updateActions', summary: 'Update Bot Actions: the six action flags', schema: ActionsBody, toPatch: (b: never) => ({ actions: settingsOnly(b) }) },
  { path: 'updateActiveDays', summary: 'Update Active Days: monday … sunday', schema: DaysBody, toPatch: (b: never) => ({ active_days: settingsOnly(b) }) },
  { path: 'updateActiveHours', summary: "Update Active Hours: from/to as 'H:mm' or 'always' (to is exclusive)", schema: HoursBody, toPatch: (b: never) => ({ active_hours: settingsOnly(b) }) },
];

export function seed003SettingsRoutes(s: Pick<Api, 'instances' | 'webhooks'>) {
  return [
    ...SECTIONS.map((section) =>
      defineRoute({
        ...SESSION_JSON,
        method: 'put',
        path: `/whatsapp/${section.path}`,
        summary: section.summary,
        description: "Without session_id, the login's only instance is changed (400 when it has several). Native: PATCH /v1/instances/{id}/settings.",
        query: SessionQuery,
        body: section.schema,
        responses: { 200: { description: 'Changed (modifiedCount 0 when the values were already set)', schema: envelope(UpdateResultSchema) } },
        instance: bySession({ field: 'body.session_id' }),
        handler: async (req) => {
          const { instance } = req;
          const { modified } = await s.instances.updateSettings(instance, section.toPatch(req.body as never) as SettingsPatch);
          return { body: ok(SETTINGS_UPDATED, updateResult(modified)) };
        },
      }),
    ),
    defineRoute({
      ...SESSION_JSON,
      method: 'put',
      path: '/whatsapp/setWebhook',
      summary: "Set Webhook: the instance's webhook URL, events and request headers",
      description:
        "Creates the instance's seed 003 webhook, or changes it when set before (other webhooks, made through /v1, are left alone). Deliveries are signed (Standard Webhooks); " +
        'inbound message events also need actions.send_webhook (PUT /whatsapp/updateActions), and a reason is given in X-Tucan-Warning when it is off. ' +
        'The answer that creates it carries its signing secret in X-Tucan-Webhook-Secret. Native: POST /v1/instances/{id}/webhooks.',
      query: SessionQuery,
      body: WebhookBody,
      responses: { 204: { description: `Set. ${WEBHOOK_HEADERS_DOC}` } },
      instance: bySession({ field: 'body.session_id' }),
      handler: async (req) => {
        const { instance } = req;
        const { webhook_url, events, requestConfig } = req.body;
        const input = { url: webhook_url, events: events ?? ['onMessage'], ...(requestConfig?.headers ? { headers: requestConfig.headers } : {}), ...(requestConfig?.timeout ? { timeout_ms: requestConfig.timeout } : {}) };
        const result = await withFieldNames({ 'body.url': 'body.webhook_url' }, () => s.webhooks.subscriptions.putLabelled(instance, SEED003_WEBHOOK_LABEL, input));
        return { status: 204, headers: webhookHeaders(result) };
      },
    }),
  ];
}
